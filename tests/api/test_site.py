"""The transparency site: published as files and served live, in Vietnamese and English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import orjson
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import main
from projections.site.publish import MAX_PAGE_BYTES
from tests.conftest import LogFixture, make_log
from tests.ledger.personnel.conftest import build_province
from tests.ledger.personnel.desk import Desk
from tests.projections.history import record_history

HREF = re.compile(r'href="([^"]+)"')


@pytest.fixture
def site_log(tmp_path: Path) -> Iterator[tuple[LogFixture, TestClient]]:
    log = make_log(tmp_path / "data")
    app = create_app(log.open)
    with TestClient(app) as client:
        desk = Desk(log, app.state.ledger)
        build_province(desk)
        record_history(desk)
        yield log, client


def test_published_site_links_resolve_pages_are_small_and_data_is_beside(
    site_log: tuple[LogFixture, TestClient], tmp_path: Path
) -> None:
    log, _client = site_log
    out = tmp_path / "site"
    assert main(["publish", "--data-dir", str(log.settings.data_dir), "--out", str(out)]) == 0
    pages = sorted(out.rglob("*.html"))
    assert out / "index.html" in pages and out / "en" / "index.html" in pages
    assert out / "officials" / "CB-CHAIR.html" in pages
    assert out / "units" / "QN~an-binh.html" in pages  # '/' in ids becomes '~'
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert len(html.encode()) <= MAX_PAGE_BYTES, page
        assert 'lang="en"' in html if "/en/" in str(page) else 'lang="vi"' in html
        title = re.search(r"<title>(.*?)</title>", html, re.DOTALL)
        assert title and "<" not in title.group(1), f"{page}: markup inside <title>"
        assert html.count("<script") <= 1, page
        for href in HREF.findall(html):
            if href.startswith(("http", "/", "#")):
                continue  # proofs are links to the log's API on the same host
            target = (page.parent / unquote(urlsplit(href).path)).resolve()
            assert target.exists(), f"{page.relative_to(out)} links to missing {href}"
    # The data files the brief names, in Popolo and NDJSON.
    popolo = orjson.loads((out / "data" / "popolo.json").read_bytes())
    assert {p["id"] for p in popolo["persons"]} >= {"CB-CHAIR"}
    decisions = (out / "data" / "decisions.ndjson").read_bytes().splitlines()
    assert len(decisions) == 5
    assert len((out / "data" / "officials.ndjson").read_bytes().splitlines()) == 7
    official = (out / "officials" / "CB-CHAIR.html").read_text(encoding="utf-8")
    # Each record shows its log indexes, linked to inclusion proofs.
    assert re.search(r'href="/v1/log/proof/inclusion\?index=\d+&amp;size=\d+"', official)
    assert "Nguyễn Văn CB-CHAIR" in official and "R11" in official
    erased = (out / "officials" / "CB-B.html").read_text(encoding="utf-8")
    assert "Nguyễn Văn CB-B" not in erased and "đã xoá dữ liệu cá nhân" in erased
    stats = (out / "stats.html").read_text(encoding="utf-8")
    assert stats.count("<svg") >= 4 and "cdn" not in stats.lower()


def test_live_site_search_language_switch_and_proof(
    site_log: tuple[LogFixture, TestClient],
) -> None:
    _log, client = site_log
    home = client.get("/site/index.html")
    assert home.status_code == 200 and "canbo verify" in home.text
    assert 'href="en/index.html"' in home.text
    english = client.get("/site/en/index.html").text
    assert "Verify it yourself" in english and 'href="../index.html"' in english
    found = client.get("/site/decisions/index.html", params={"q": "discipline"}).text
    assert "QD-D1" in found and "QD-F1" not in found and "1 kết quả" in found
    flagged = client.get("/site/en/decisions/index.html", params={"flag": "R11"}).text
    assert "2 results" in flagged
    bad = client.get("/site/decisions/index.html", params={"flag": "DROP TABLE"})
    assert bad.status_code == 422 and bad.json()["message_vi"]
    index = re.search(r'href="\.\./proof/(\d+)\.html"', found)
    assert index is not None
    proof = client.get(f"/site/proof/{index.group(1)}.html")
    assert proof.status_code == 200 and "leaf-hash" in proof.text
    missing = client.get("/site/officials/CB-NOBODY.html")
    assert missing.status_code == 404 and missing.json()["message_vi"].startswith("trang")
    assert client.get("/site/proof/999999.html").status_code == 404


def test_the_live_statistics_page_is_built_once_per_log_position(
    site_log: tuple[LogFixture, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """It runs queries per commune and is public: not rebuilt on every request."""
    from projections.site.render import Site
    from tests.conftest import enrol, official_key

    log, client = site_log
    built: list[str] = []
    real = Site.stats

    def counted(self: Site, lang: str, today: object) -> str:
        built.append(lang)
        return real(self, lang, today)  # type: ignore[arg-type]

    monkeypatch.setattr(Site, "stats", counted)
    first = client.get("/site/stats.html")
    assert first.status_code == 200 and "<svg" in first.text
    assert client.get("/site/stats.html").text == first.text
    assert client.get("/site/en/stats.html").status_code == 200
    assert built == ["vi", "en"]  # the second Vietnamese request came from the cache
    enrol(client.app.state.ledger, log.registrar, official_key("stats-moves"))  # type: ignore[attr-defined]
    client.get("/site/stats.html")
    assert built == ["vi", "en", "vi"]  # the log moved: built again
