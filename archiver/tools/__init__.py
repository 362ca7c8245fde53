"""Offline tools over an archive: reindex, ingest, verify, snapshot, cite, reclean."""
