"""Adapters that let other frameworks use the index."""
