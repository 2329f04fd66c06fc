"""The one error type ingest raises for bad input; its message names the file and the fix."""


class IngestError(Exception):
    """Bad or unreadable input. The message is shown to the user as one line."""
