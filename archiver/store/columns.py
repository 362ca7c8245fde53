"""Reading the store's JSON columns back (``authors``, ``tags``), one way for every reader."""

from __future__ import annotations

import json
from typing import Any


def json_list(value: Any) -> list[str]:
    """The strings of a JSON-array column (or of a list already parsed); [] for anything else."""
    if isinstance(value, list):
        return [str(v) for v in value]
    try:
        parsed = json.loads(value or "[]")
    except (TypeError, ValueError):
        return []
    return [str(v) for v in parsed] if isinstance(parsed, list) else []
