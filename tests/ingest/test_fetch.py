"""`safeguarding fetch`: downloads from a loopback server, local imports, lock.json, failures.

Everything is offline: a tiny HTTP server on 127.0.0.1 (port 0) plays gov.uk.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from fpdf import FPDF

from assistant.settings import Settings, get_settings
from ingest import fetch as fetch_mod
from ingest.fetch import (
    FetchError,
    OfflineError,
    find_pdf_link,
    match_local_files,
    parse_mappings,
    read_lock,
    run_fetch,
)

TITLES = {
    "triennial-2014-17": (
        "Complexity and challenge: a triennial analysis of SCRs 2014-2017",
        "Complexity and challenge (triennial 2014-17)",
    ),
    "panel-annual-2018-19": (
        "Child Safeguarding Practice Review Panel: annual report 2018 to 2019",
        "Panel annual report 2018-19",
    ),
    "hard-to-escape": (
        "It was hard to escape: safeguarding children at risk from criminal exploitation",
        "It was hard to escape (criminal exploitation review)",
    ),
}


def make_pdf(text: str = "Neglect was present in three quarters of the reviews.") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


PDF = make_pdf()
OTHER_PDF = make_pdf("An annex of data tables.")
HTML_PAGE = b"<!DOCTYPE html><html><head><title>GOV.UK</title></head><body>Hi</body></html>"


def landing_page() -> bytes:
    return b"""<!DOCTYPE html><html><body>
    <h1>Analysis of serious case reviews: 2014 to 2017</h1>
    <section class="attachment">
      <a href="https://elsewhere.invalid/guide.docx">Guidance (Word)</a>
      <a href="/annex.pdf">Annex: data tables</a>
      <a href="report.pdf#page=1">Complexity and challenge: a triennial analysis of SCRs
        2014 to 2017</a>
    </section></body></html>"""


ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/report.pdf": (200, "application/pdf", PDF),
    "/annex.pdf": (200, "application/pdf", OTHER_PDF),
    "/not-a-pdf.pdf": (200, "text/html; charset=utf-8", HTML_PAGE),
    "/disguised.pdf": (200, "application/pdf", HTML_PAGE),
    "/truncated.pdf": (200, "application/pdf", PDF[: len(PDF) // 2]),
    "/landing": (200, "text/html; charset=utf-8", landing_page()),
    "/landing-without-pdf": (200, "text/html", b"<html><a href='/x.docx'>doc</a></html>"),
}


class Server:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []  # (path, user agent)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server.requests.append((self.path, self.headers.get("User-Agent", "")))
                if self.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", "/report.pdf")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status, ctype, body = ROUTES.get(self.path, (404, "text/html", b"not found"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = Server()
    srv.thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()
    srv.thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def write_manifest(corpus: Path, urls: dict[str, tuple[str, str]]) -> Settings:
    """A manifest for the given ids: id -> (landing_url, pdf_url)."""
    corpus.mkdir(parents=True, exist_ok=True)
    parts = []
    for report_id, (landing, pdf) in urls.items():
        title, short = TITLES[report_id]
        parts.append(
            f"""[[reports]]
id = "{report_id}"
title = "{title}"
short_title = "{short}"
publisher = "Department for Education"
published = "2020-03-04"
landing_url = "{landing}"
pdf_url = "{pdf}"
filename = "{report_id}.pdf"
licence = "Open Government Licence v3.0"
"""
        )
    (corpus / "manifest.toml").write_text("\n".join(parts), encoding="utf-8")
    return Settings(corpus_dir=corpus)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def raw_files(settings: Settings) -> list[str]:
    raw = settings.raw_dir
    return sorted(p.name for p in raw.iterdir()) if raw.exists() else []


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- download


def test_download_writes_verified_pdf_and_lock(server: Server, tmp_path: Path) -> None:
    url = f"{server.base}/report.pdf"
    settings = write_manifest(tmp_path / "corpus", {"triennial-2014-17": (server.base, url)})

    result = run_fetch(settings, progress=False)

    target = settings.raw_dir / "triennial-2014-17.pdf"
    assert target.read_bytes() == PDF
    assert raw_files(settings) == ["lock.json", "triennial-2014-17.pdf"]  # no .part left
    lock = json.loads((settings.raw_dir / "lock.json").read_text())
    entry = lock["reports"]["triennial-2014-17"]
    assert entry["file"] == "triennial-2014-17.pdf"
    assert entry["sha256"] == hashlib.sha256(target.read_bytes()).hexdigest()
    assert entry["size"] == len(PDF)
    assert entry["url"] == url
    assert entry["source"] == "download"
    assert datetime.fromisoformat(entry["fetched_at"]).utcoffset() is not None
    assert [r.status for r in result.reports] == ["downloaded"]
    assert "safeguarding-assistant/" in server.requests[-1][1]  # a User-Agent naming the project


def test_second_run_is_idempotent_and_force_refetches(server: Server, tmp_path: Path) -> None:
    settings = write_manifest(
        tmp_path / "corpus", {"hard-to-escape": (server.base, f"{server.base}/redirect")}
    )
    run_fetch(settings, progress=False)
    lock_path = settings.raw_dir / "lock.json"
    first_lock = lock_path.read_bytes()
    hits = server.hits("/redirect")

    again = run_fetch(settings, progress=False)

    assert server.hits("/redirect") == hits  # no network at all the second time
    assert lock_path.read_bytes() == first_lock
    assert [r.status for r in again.reports] == ["already present"]
    assert "already present" in again.summary()

    forced = run_fetch(settings, force=True, progress=True)  # progress bar on a non-TTY: harmless
    assert server.hits("/redirect") == hits + 1
    assert [r.status for r in forced.reports] == ["downloaded"]
    assert (settings.raw_dir / "hard-to-escape.pdf").read_bytes() == PDF


def test_changed_file_is_fetched_again(server: Server, tmp_path: Path) -> None:
    settings = write_manifest(
        tmp_path / "corpus", {"hard-to-escape": (server.base, f"{server.base}/report.pdf")}
    )
    run_fetch(settings, progress=False)
    (settings.raw_dir / "hard-to-escape.pdf").write_bytes(OTHER_PDF)  # sha no longer matches

    result = run_fetch(settings, progress=False)

    assert [r.status for r in result.reports] == ["downloaded"]
    assert (settings.raw_dir / "hard-to-escape.pdf").read_bytes() == PDF


def test_empty_pdf_url_is_resolved_from_landing_page(server: Server, tmp_path: Path) -> None:
    settings = write_manifest(
        tmp_path / "corpus", {"triennial-2014-17": (f"{server.base}/landing", "")}
    )

    run_fetch(settings, progress=False)

    entry = read_lock(settings.raw_dir)["triennial-2014-17"]
    assert entry["url"] == f"{server.base}/report.pdf"  # the title match, not the first annex
    assert (settings.raw_dir / "triennial-2014-17.pdf").read_bytes() == PDF


def test_landing_page_without_pdf_link(server: Server, tmp_path: Path) -> None:
    landing = f"{server.base}/landing-without-pdf"
    settings = write_manifest(tmp_path / "corpus", {"hard-to-escape": (landing, "")})

    with pytest.raises(FetchError, match="no PDF attachment link") as err:
        run_fetch(settings, progress=False)

    assert landing in str(err.value)
    assert raw_files(settings) == []


def test_find_pdf_link_rules() -> None:
    base = "https://www.gov.uk/government/publications/x"
    html = """<a href="/a.docx">doc</a>
        <a href="https://assets.publishing.service.gov.uk/media/1/Annex.pdf">Annex</a>
        <a href="/media/2/It_was_hard_to_escape.pdf">It was hard to escape</a>"""
    title = "It was hard to escape: safeguarding children"
    assert (
        find_pdf_link(html, base, title) == "https://www.gov.uk/media/2/It_was_hard_to_escape.pdf"
    )
    # no word in common: the first .pdf link wins
    assert find_pdf_link(html, base, "Unrelated") == (
        "https://assets.publishing.service.gov.uk/media/1/Annex.pdf"
    )
    assert find_pdf_link('<a href="x.PDF?download=1">x</a>', base, "t") == (
        "https://www.gov.uk/government/publications/x.PDF?download=1"
    )
    assert find_pdf_link("<p>no links</p>", base, title) is None


@pytest.mark.parametrize("path", ["/not-a-pdf.pdf", "/disguised.pdf"])
def test_html_instead_of_pdf_is_rejected(server: Server, tmp_path: Path, path: str) -> None:
    url = f"{server.base}{path}"
    settings = write_manifest(tmp_path / "corpus", {"hard-to-escape": (server.base, url)})

    with pytest.raises(FetchError, match="returned an HTML page, not a PDF") as err:
        run_fetch(settings, progress=False)

    assert url in str(err.value)
    assert not isinstance(err.value, OfflineError)
    assert raw_files(settings) == []


def test_truncated_pdf_is_rejected(server: Server, tmp_path: Path) -> None:
    url = f"{server.base}/truncated.pdf"
    settings = write_manifest(tmp_path / "corpus", {"hard-to-escape": (server.base, url)})

    with pytest.raises(FetchError, match="not a complete PDF"):
        run_fetch(settings, progress=False)

    assert raw_files(settings) == []


def test_http_404_names_address_and_status(server: Server, tmp_path: Path) -> None:
    url = f"{server.base}/gone.pdf"
    settings = write_manifest(tmp_path / "corpus", {"hard-to-escape": (server.base, url)})

    with pytest.raises(FetchError, match="404") as err:
        run_fetch(settings, progress=False)

    assert url in str(err.value)
    assert raw_files(settings) == []


def test_failure_on_second_report_keeps_first_complete_file(server: Server, tmp_path: Path) -> None:
    settings = write_manifest(
        tmp_path / "corpus",
        {
            "triennial-2014-17": (server.base, f"{server.base}/report.pdf"),
            "panel-annual-2018-19": (server.base, f"{server.base}/missing.pdf"),
        },
    )

    with pytest.raises(FetchError, match="404"):
        run_fetch(settings, progress=False)

    # all-or-nothing per file: the complete first file stays, and lock.json records only it
    assert raw_files(settings) == ["lock.json", "triennial-2014-17.pdf"]
    assert set(read_lock(settings.raw_dir)) == {"triennial-2014-17"}


def test_interrupt_leaves_no_part_file(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = write_manifest(
        tmp_path / "corpus", {"hard-to-escape": (server.base, f"{server.base}/report.pdf")}
    )
    seen: list[bool] = []

    def interrupted(path: Path, **_: object) -> None:
        seen.append(path.exists())
        raise KeyboardInterrupt

    monkeypatch.setattr(fetch_mod, "verify_pdf", interrupted)

    with pytest.raises(KeyboardInterrupt):
        run_fetch(settings, progress=False)

    assert seen == [True]  # the .part existed while downloading...
    assert raw_files(settings) == []  # ...and is gone, with no PDF and no lock.json


# --------------------------------------------------------------------------- offline


def test_refused_connection_is_offline_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/report.pdf"
    settings = write_manifest(tmp_path / "corpus", {"hard-to-escape": (url, url)})

    with pytest.raises(OfflineError) as err:
        run_fetch(settings, progress=False)

    message = str(err.value)
    assert "\n" not in message
    assert "cannot reach 127.0.0.1" in message
    assert "--from" in message
    assert raw_files(settings) == []


def test_cli_offline_exits_2_with_one_line(tmp_path: Path) -> None:
    from assistant.cli import cli

    url = f"http://127.0.0.1:{free_port()}/landing"
    corpus = tmp_path / "corpus"
    settings = write_manifest(corpus, {"triennial-2014-17": (url, ""), "hard-to-escape": (url, "")})

    result = CliRunner().invoke(cli, ["fetch"], env={"SAFEGUARDING_CORPUS_DIR": str(corpus)})

    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: cannot reach")
    assert "--from" in lines[0]
    assert raw_files(settings) == []


# --------------------------------------------------------------------------- --from / --map


def all_three(corpus: Path) -> Settings:
    return write_manifest(corpus, {rid: (f"https://www.gov.uk/{rid}", "") for rid in TITLES})


def test_match_local_files_by_name_id_and_title_words(tmp_path: Path) -> None:
    settings = all_three(tmp_path / "corpus")
    reports = fetch_mod.load_manifest(settings.manifest_path).reports
    folder = tmp_path / "downloads"
    folder.mkdir()
    names = [
        "TRIENNIAL_SCR_REPORT_2014_to_2017.pdf",  # title words
        "copy of PANEL_ANNUAL_2018_19.PDF",  # contains the id
        "Hard-To-Escape.pdf",  # the manifest file name, any case
        "notes.txt",
        "safeguarding_report.pdf",  # only words shared by several reports: decides nothing
    ]
    for name in names:
        (folder / name).write_bytes(PDF)

    matched, missing = match_local_files(reports, folder)

    assert {rid: p.name for rid, p in matched.items()} == {
        "triennial-2014-17": "TRIENNIAL_SCR_REPORT_2014_to_2017.pdf",
        "panel-annual-2018-19": "copy of PANEL_ANNUAL_2018_19.PDF",
        "hard-to-escape": "Hard-To-Escape.pdf",
    }
    assert missing == {}

    for name in names[1:3]:
        (folder / name).unlink()
    matched, missing = match_local_files(reports, folder)
    assert set(matched) == {"triennial-2014-17"}
    assert set(missing) == {"panel-annual-2018-19", "hard-to-escape"}


def test_match_local_files_strongest_first_and_ambiguity(tmp_path: Path) -> None:
    settings = all_three(tmp_path / "corpus")
    reports = fetch_mod.load_manifest(settings.manifest_path).reports
    folder = tmp_path / "downloads"
    folder.mkdir()
    # names the panel too, but says far more about hard-to-escape
    long_name = "Child_Safeguarding_Review_Panel_-_It_was_hard_to_escape_criminal_exploitation.pdf"
    (folder / long_name).write_bytes(PDF)
    (folder / "Panel_annual_report.pdf").write_bytes(PDF)

    matched, missing = match_local_files(reports, folder)

    assert {rid: p.name for rid, p in matched.items()} == {
        "hard-to-escape": long_name,
        "panel-annual-2018-19": "Panel_annual_report.pdf",
    }
    assert "no matching PDF" in missing["triennial-2014-17"]

    (folder / "triennial-a.pdf").write_bytes(PDF)
    (folder / "triennial-b.pdf").write_bytes(PDF)
    _, missing = match_local_files(reports, folder)
    assert "ambiguous" in missing["triennial-2014-17"]
    assert "triennial-a.pdf, triennial-b.pdf" in missing["triennial-2014-17"]


def test_import_from_dir_copies_and_reports_missing(tmp_path: Path) -> None:
    settings = all_three(tmp_path / "corpus")
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "TRIENNIAL_SCR_REPORT_2014_to_2017.pdf").write_bytes(PDF)
    (folder / "It_was_hard_to_escape.pdf").write_bytes(OTHER_PDF)

    result = run_fetch(settings, from_dir=folder)

    assert (folder / "TRIENNIAL_SCR_REPORT_2014_to_2017.pdf").exists()  # copied, not moved
    assert (settings.raw_dir / "triennial-2014-17.pdf").read_bytes() == PDF
    assert (settings.raw_dir / "hard-to-escape.pdf").read_bytes() == OTHER_PDF
    lock = read_lock(settings.raw_dir)
    assert lock["hard-to-escape"]["sha256"] == sha(OTHER_PDF)
    assert lock["hard-to-escape"]["source"] == "local"
    assert lock["hard-to-escape"]["url"] == "https://www.gov.uk/hard-to-escape"
    assert set(result.missing) == {"panel-annual-2018-19"}
    summary = result.summary()
    assert "triennial-2014-17.pdf" in summary and "MB" in summary and "local" in summary
    assert "missing panel-annual-2018-19" in summary

    again = run_fetch(settings, from_dir=folder)
    assert {r.status for r in again.reports} == {"already present"}


def test_map_overrides_name_match_and_merges_lock(tmp_path: Path) -> None:
    settings = all_three(tmp_path / "corpus")
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "triennial-2014-17.pdf").write_bytes(PDF)
    other = tmp_path / "elsewhere" / "my copy.pdf"
    other.parent.mkdir()
    other.write_bytes(OTHER_PDF)
    run_fetch(settings, mapping={"hard-to-escape": folder / "triennial-2014-17.pdf"})

    result = run_fetch(settings, from_dir=folder, mapping={"triennial-2014-17": other})

    assert (settings.raw_dir / "triennial-2014-17.pdf").read_bytes() == OTHER_PDF
    lock = read_lock(settings.raw_dir)
    assert lock["triennial-2014-17"]["sha256"] == sha(OTHER_PDF)
    assert lock["hard-to-escape"]["sha256"] == sha(PDF)  # kept from the first run
    assert set(result.missing) == {"panel-annual-2018-19", "hard-to-escape"}


def test_map_alone_imports_only_mapped_reports(tmp_path: Path) -> None:
    settings = all_three(tmp_path / "corpus")
    copy = tmp_path / "x.pdf"
    copy.write_bytes(PDF)

    result = run_fetch(settings, mapping=parse_mappings([f"panel-annual-2018-19={copy}"]))

    assert [r.report_id for r in result.reports] == ["panel-annual-2018-19"]
    assert result.missing == {}
    assert raw_files(settings) == ["lock.json", "panel-annual-2018-19.pdf"]


def test_report_ids_limit_the_import(tmp_path: Path) -> None:
    settings = all_three(tmp_path / "corpus")
    folder = tmp_path / "downloads"
    folder.mkdir()
    for rid in TITLES:
        (folder / f"{rid}.pdf").write_bytes(PDF)

    result = run_fetch(settings, from_dir=folder, report_ids=["hard-to-escape"])

    assert [r.report_id for r in result.reports] == ["hard-to-escape"]
    assert raw_files(settings) == ["hard-to-escape.pdf", "lock.json"]


def test_import_failures(tmp_path: Path) -> None:
    settings = all_three(tmp_path / "corpus")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FetchError, match="no report PDFs found"):
        run_fetch(settings, from_dir=empty)
    with pytest.raises(FetchError, match="does not exist"):
        run_fetch(settings, from_dir=tmp_path / "nowhere")
    with pytest.raises(FetchError, match="does not exist"):
        run_fetch(settings, mapping={"hard-to-escape": tmp_path / "nowhere.pdf"})

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "triennial-2014-17.pdf").write_bytes(PDF)
    (bad / "hard-to-escape.pdf").write_bytes(HTML_PAGE)  # a saved landing page
    with pytest.raises(FetchError, match="is an HTML page, not a PDF"):
        run_fetch(settings, from_dir=bad)
    assert raw_files(settings) == []  # every source is checked before anything is copied


def test_parse_mappings() -> None:
    assert parse_mappings(["hard-to-escape = /tmp/a b.pdf"]) == {
        "hard-to-escape": Path("/tmp/a b.pdf")
    }
    for bad in ["hard-to-escape", "=x.pdf", "hard-to-escape="]:
        with pytest.raises(FetchError, match="expected ID=PATH"):
            parse_mappings([bad])
    with pytest.raises(FetchError, match="more than once"):
        parse_mappings(["a=1.pdf", "a=2.pdf"])


def test_unknown_ids_are_refused(tmp_path: Path) -> None:
    settings = all_three(tmp_path / "corpus")
    with pytest.raises(FetchError, match="unknown report id 'nope'.*hard-to-escape"):
        run_fetch(settings, mapping={"nope": tmp_path / "x.pdf"})
    with pytest.raises(FetchError, match="unknown report id 'nope'"):
        run_fetch(settings, report_ids=["nope"])


def test_cli_bad_map_and_import(tmp_path: Path) -> None:
    from assistant.cli import cli

    corpus = tmp_path / "corpus"
    settings = all_three(corpus)
    env = {"SAFEGUARDING_CORPUS_DIR": str(corpus)}
    runner = CliRunner()

    bad = runner.invoke(cli, ["fetch", "--map", "hard-to-escape"], env=env)
    assert bad.exit_code == 1
    assert bad.output.strip().splitlines() == [
        "error: --map 'hard-to-escape': expected ID=PATH, e.g. hard-to-escape=~/hte.pdf"
    ]

    copy = tmp_path / "copy.pdf"
    copy.write_bytes(PDF)
    get_settings.cache_clear()
    ok = runner.invoke(cli, ["fetch", "--map", f"hard-to-escape={copy}"], env=env)
    assert ok.exit_code == 0, ok.output
    assert "hard-to-escape.pdf" in ok.output and "local (imported)" in ok.output
    assert raw_files(settings) == ["hard-to-escape.pdf", "lock.json"]
