"""A citizen's path through the live transparency site, in a real Chromium."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import LiveSite


def test_from_home_to_a_record_switch_language_search_and_open_a_proof(
    browser: Any, live_site: LiveSite
) -> None:
    page = browser.new_page()
    page.set_default_timeout(10_000)
    shots = live_site.artifacts
    page.goto(f"{live_site.base}/site/index.html")
    assert page.locator("html").get_attribute("lang") == "vi"
    # Keyboard first: the first Tab reaches the skip link, which leads to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Bỏ qua, đến nội dung chính"
    page.screenshot(path=str(shots / "1-home.png"), full_page=True)
    assert "canbo verify" in page.locator("main").inner_text()

    page.get_by_role("link", name="Cán bộ, công chức").first.click()
    page.wait_for_url("**/officials/index.html")
    page.get_by_role("link", name="CB-CHAIR", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Nguyễn Văn CB-CHAIR")
    assert page.locator("#d-QD-2021-01").is_visible()
    page.screenshot(path=str(shots / "2-official.png"), full_page=True)

    page.get_by_role("link", name="Switch to English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Posts held").is_visible()
    page.screenshot(path=str(shots / "3-official-en.png"), full_page=True)

    page.get_by_role("link", name="Decisions", exact=True).click()
    page.get_by_label("Words").fill("discipline")
    page.get_by_role("button", name="Search").click()
    assert page.locator("#result-count").inner_text() == "1 results"
    row = page.locator("#decision-table tbody tr")
    assert row.count() == 1 and "QD-D1" in row.inner_text()
    page.screenshot(path=str(shots / "4-search.png"), full_page=True)

    proof_link = row.get_by_role("link", name=re.compile(r"^#\d+$")).first
    index = proof_link.inner_text().lstrip("#")
    proof_link.click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Inclusion proof #{index}"
    assert re.fullmatch(r"[A-Za-z0-9+/]{43}=", page.locator("#leaf-hash").inner_text())
    page.screenshot(path=str(shots / "5-proof.png"), full_page=True)
    page.close()
