"""`canbo publish`: the transparency site as files, and the data files beside it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import orjson

from projections.exports import ndjson
from projections.public_read import PublicReader
from projections.site.render import LogHead, Site

MAX_PAGE_BYTES = 200 * 1024


class PageTooLarge(Exception):
    """A rendered page is over the size every page must stay under."""


@dataclass(frozen=True)
class Published:
    """What was written."""

    pages: int
    largest_page: str
    largest_bytes: int
    total_bytes: int


def publish(site: Site, out: Path, today: date) -> Published:
    """Render every page and the data files into `out` (replacing what was there)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    largest, largest_bytes, total, pages = "", 0, 0, 0
    for path, render in site.every_page(today):
        html = render()
        if html is None:
            continue
        data = html.encode("utf-8")
        if len(data) > MAX_PAGE_BYTES:
            raise PageTooLarge(f"{path} is {len(data)} bytes, over {MAX_PAGE_BYTES}")
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        pages += 1
        total += len(data)
        if len(data) > largest_bytes:
            largest, largest_bytes = path, len(data)
    reader = PublicReader(site.engine)
    data_dir = out / "data"
    data_dir.mkdir()
    with (data_dir / "officials.ndjson").open("wb") as f:
        f.writelines(ndjson(reader.each_service_record()))
    with (data_dir / "decisions.ndjson").open("wb") as f:
        f.writelines(ndjson(reader.each_decision()))
    (data_dir / "popolo.json").write_bytes(orjson.dumps(reader.popolo()))
    (data_dir / "checkpoint.txt").write_text(site.head.checkpoint, encoding="utf-8")
    return Published(pages, largest, largest_bytes, total)


def head_of(ledger: object, log_url: str | None) -> LogHead:
    """The latest checkpoint of an open ledger, as the site shows it."""
    from ledger.bootstrap import Ledger

    assert isinstance(ledger, Ledger)
    head = ledger.log.require_head()
    return LogHead(head.size, head.checkpoint, ledger.verifier_key.format(), log_url)
