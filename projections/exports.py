"""Bulk exports of the public records: NDJSON (one JSON document a line) and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

OFFICIAL_COLUMNS = (
    "id",
    "name",
    "title",
    "organization_id",
    "registered_on",
    "posts",
    "log_indexes",
)
DECISION_COLUMNS = (
    "id",
    "kind",
    "person_id",
    "organization_id",
    "status",
    "effective_on",
    "summary",
    "legal_basis",
    "flags",
    "log_indexes",
)


def ndjson(items: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """Each item as one line of JSON."""
    for item in items:
        yield orjson.dumps(item) + b"\n"


def _csv_lines(header: tuple[str, ...], rows: Iterable[list[Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _cell(value: Any) -> Any:
    # Lists become space-separated text: a spreadsheet reads them, and no cell holds JSON.
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "" if value is None else value


def officials_csv(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One row per official: the public profile and the posts held now."""

    def rows() -> Iterator[list[Any]]:
        for record in records:
            p = record["person"]
            current = [m["post_id"] for m in record["memberships"] if m["end_date"] is None]
            yield [
                _cell(p["id"]),
                _cell(p["name"]),
                _cell(p["title"]),
                _cell(p["organization_id"]),
                _cell(p["registered_on"]),
                _cell(current),
                _cell(p["log_indexes"]),
            ]

    return _csv_lines(OFFICIAL_COLUMNS, rows())


def decisions_csv(decisions: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One row per public decision."""
    return _csv_lines(
        DECISION_COLUMNS, ([_cell(d[c]) for c in DECISION_COLUMNS] for d in decisions)
    )
