"""Rendering the transparency site's pages from the read models (Jinja2, autoescaped).

Pages are addressed by a path relative to the site root ("officials/CB-1.html"); English pages
live under "en/". Links between pages are relative, so the same pages work as files on any web
server (`canbo publish`) and served live by the API under /site/. Record ids may contain "/",
which file names cannot: it becomes "~" (never part of an id).
"""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine, func, select

from ledger.rules.decision import Kind
from projections.charts import bar_chart, stacked_bar_chart
from projections.inspection.communes import BANDS, compare_communes
from projections.inspection.scope import Scope
from projections.public_read import (
    PUBLIC_STATUSES,
    DecisionQuery,
    PublicReader,
    membership,
    post,
    service_record_of,
)
from projections.schema import (
    public_decisions,
    public_memberships,
    public_officials,
    public_posts,
    public_units,
)
from projections.site.i18n import LANGS, text, value

PER_PAGE = 100
TEMPLATES = Path(__file__).parent / "templates"


def slug(record_id: str) -> str:
    """A record id as a file name."""
    return record_id.replace("/", "~")


def unslug(name: str) -> str:
    """The record id of a file name."""
    return name.replace("~", "/")


@dataclass(frozen=True)
class LogHead:
    """The checkpoint the pages are proved against, and how to reach the log's proofs."""

    size: int
    checkpoint: str
    vkey: str
    # Live: proofs are pages of the site. Published: links to the log's JSON proof endpoint.
    log_url: str | None = None


class Site:
    """Renders pages; every method returns HTML for one page."""

    def __init__(self, engine: Engine, head: LogHead, *, live: bool) -> None:
        self.engine = engine
        self.reader = PublicReader(engine)
        self.head = head
        self.live = live
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    # --- page plumbing ---------------------------------------------------------------------

    def _page(self, template: str, path: str, lang: str, **context: Any) -> str:
        prefix = "en/" if lang == "en" else ""
        here = prefix + path

        def url(target: str) -> str:
            start = posixpath.dirname(here) or "."
            return posixpath.relpath(prefix + target, start)

        def root(target: str) -> str:
            start = posixpath.dirname(here) or "."
            return posixpath.relpath(target, start)

        def other_language() -> str:
            other = "" if lang == "en" else "en/"
            start = posixpath.dirname(here) or "."
            return posixpath.relpath(other + path, start)

        def proof(index: int | None) -> str:
            if index is None:
                return ""
            if self.live:
                return url(f"proof/{index}.html")
            base = (self.head.log_url or "").rstrip("/")
            return f"{base}/v1/log/proof/inclusion?index={index}&size={self.head.size}"

        return self.env.get_template(template).render(
            lang=lang,
            path=path,
            url=url,
            root=root,
            live=self.live,
            other_language=other_language(),
            t=lambda key: text(key, lang),
            v=lambda raw: value(raw, lang),
            proof=proof,
            slug=slug,
            head=self.head,
            **context,
        )

    # --- pages ---------------------------------------------------------------------------

    def home(self, lang: str) -> str:
        """The latest checkpoint, how to verify it, and what the site holds."""
        with self.engine.connect() as conn:
            counts = {
                "units": _count(conn, public_units),
                "officials": _count(conn, public_officials),
                "decisions": conn.execute(
                    select(func.count())
                    .select_from(public_decisions)
                    .where(public_decisions.c.status.in_(PUBLIC_STATUSES))
                ).scalar_one(),
            }
        return self._page("index.html", "index.html", lang, counts=counts)

    def units(self, lang: str) -> str:
        """Provinces, communes and wards."""
        with self.engine.connect() as conn:
            officials: dict[str, int] = {
                row[0]: row[1]
                for row in conn.execute(
                    select(public_officials.c.unit, func.count()).group_by(public_officials.c.unit)
                )
            }
        units = self.reader.units()
        return self._page("units.html", "units/index.html", lang, units=units, officials=officials)

    def unit(self, lang: str, unit_id: str) -> str | None:
        """A unit: its posts and who holds them, and its officials."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(public_units).where(public_units.c.unit_id == unit_id)
            ).first()
            if row is None:
                return None
            posts = [
                post(r)
                for r in conn.execute(
                    select(public_posts)
                    .where(public_posts.c.unit == unit_id)
                    .order_by(public_posts.c.post_id)
                )
            ]
            holders: dict[str, list[dict[str, Any]]] = {}
            for r in conn.execute(
                select(public_memberships).where(
                    public_memberships.c.unit == unit_id, public_memberships.c.end_date.is_(None)
                )
            ):
                holders.setdefault(r.post_id, []).append(membership(r))
            officials = conn.execute(
                select(public_officials)
                .where(public_officials.c.unit == unit_id)
                .order_by(public_officials.c.official_id)
            ).fetchall()
            children = conn.execute(
                select(public_units)
                .where(public_units.c.parent == unit_id)
                .order_by(public_units.c.name)
            ).fetchall()
        return self._page(
            "unit.html",
            f"units/{slug(unit_id)}.html",
            lang,
            unit=row,
            posts=posts,
            holders=holders,
            officials=officials,
            children=children,
        )

    def officials_pages(self) -> int:
        """How many pages the officials list takes."""
        with self.engine.connect() as conn:
            return max(1, -(-_count(conn, public_officials) // PER_PAGE))

    def officials(self, lang: str, page: int) -> str | None:
        """One page of the officials list."""
        pages = self.officials_pages()
        if not 1 <= page <= pages:
            return None
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(public_officials)
                .order_by(public_officials.c.official_id)
                .offset((page - 1) * PER_PAGE)
                .limit(PER_PAGE)
            ).fetchall()
        return self._page(
            "officials.html",
            _paged("officials", page),
            lang,
            officials=rows,
            page=page,
            pages=pages,
            page_path=lambda n: _paged("officials", n),
        )

    def official(self, lang: str, official_id: str) -> str | None:
        """An official's public service record."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(public_officials).where(public_officials.c.official_id == official_id)
            ).first()
            if row is None:
                return None
            record = service_record_of(conn, row)
        return self._page(
            "official.html", f"officials/{slug(official_id)}.html", lang, record=record
        )

    def frameworks(self, lang: str) -> str:
        """Criteria frameworks by province and title group, every version in order."""
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for version in self.reader.frameworks():
            groups.setdefault((version["province"], version["title_group"]), []).append(version)
        return self._page("frameworks.html", "frameworks.html", lang, groups=groups)

    def decisions(
        self, lang: str, query: DecisionQuery, page: int, *, searched: bool = False
    ) -> str | None:
        """A page of decisions, filtered (live) or all of them (published)."""
        found = self.reader.decisions(query, page=page, per_page=PER_PAGE)
        if page > found.pages:
            return None
        return self._page(
            "decisions.html",
            _paged("decisions", page) if not searched else "decisions/index.html",
            lang,
            found=found,
            query=query,
            searched=searched,
            page_path=lambda n: _paged("decisions", n),
            kinds=list(_DECISION_KINDS),
            statuses=PUBLIC_STATUSES,
        )

    def stats(self, lang: str, today: date) -> str:
        """Counts and rates with charts, for each province's communes and wards."""
        with self.engine.connect() as conn:
            by_kind: Counter[str] = Counter(
                {
                    row[0]: row[1]
                    for row in conn.execute(
                        select(public_decisions.c.kind, func.count())
                        .where(public_decisions.c.status.in_(PUBLIC_STATUSES))
                        .group_by(public_decisions.c.kind)
                    )
                }
            )
            provinces = conn.execute(
                select(public_units).where(public_units.c.level == "province")
            ).fetchall()
        charts = [
            bar_chart(
                text("decisions_by_kind", lang),
                [(value(k, lang), float(n)) for k, n in by_kind.most_common()],
            )
        ]
        for province in provinces:
            rows = compare_communes(
                self.engine, Scope("*"), province.unit_id, date(1900, 1, 1), today, today
            )
            if not rows:
                continue
            charts.append(
                bar_chart(
                    f"{text('officials_by_unit', lang)} — {province.name}",
                    [(r["name"], float(r["officials"])) for r in rows],
                )
            )
            charts.append(
                bar_chart(
                    f"{text('flagged_by_unit', lang)} — {province.name}",
                    [(r["name"], float(r["flagged_rate"] or 0)) for r in rows],
                    unit="%",
                    maximum=100,
                )
            )
            charts.append(
                bar_chart(
                    f"{text('on_time_by_unit', lang)} — {province.name}",
                    [(r["name"], float(r["recorded_on_time_rate"] or 0)) for r in rows],
                    unit="%",
                    maximum=100,
                )
            )
            charts.append(
                stacked_bar_chart(
                    f"{text('bands_by_unit', lang)} — {province.name}",
                    [value(b, lang) for b in BANDS],
                    [(r["name"], [float(r["evaluation_bands"][b]) for b in BANDS]) for r in rows],
                )
            )
        return self._page("stats.html", "stats.html", lang, charts=charts)

    def proof(self, lang: str, index: int, proof: dict[str, Any]) -> str:
        """A leaf's inclusion proof against the latest checkpoint (live site only)."""
        return self._page("proof.html", f"proof/{index}.html", lang, index=index, leaf=proof)

    def every_page(self, today: date) -> Iterator[tuple[str, Callable[[], str | None]]]:
        """(path, render) of every page of the published site, in both languages."""
        with self.engine.connect() as conn:
            units = conn.execute(select(public_units.c.unit_id)).scalars().all()
            officials = conn.execute(select(public_officials.c.official_id)).scalars().all()
        decision_pages = self.reader.decisions(DecisionQuery(), per_page=PER_PAGE).pages
        for lang in LANGS:
            prefix = "en/" if lang == "en" else ""

            def bind(fn: Callable[..., str | None], *args: Any) -> Callable[[], str | None]:
                return lambda: fn(*args)

            yield prefix + "index.html", bind(self.home, lang)
            yield prefix + "units/index.html", bind(self.units, lang)
            for u in units:
                yield prefix + f"units/{slug(u)}.html", bind(self.unit, lang, u)
            for n in range(1, self.officials_pages() + 1):
                yield prefix + _paged("officials", n), bind(self.officials, lang, n)
            for o in officials:
                yield prefix + f"officials/{slug(o)}.html", bind(self.official, lang, o)
            yield prefix + "frameworks.html", bind(self.frameworks, lang)
            for n in range(1, decision_pages + 1):
                yield (
                    prefix + _paged("decisions", n),
                    bind(self.decisions, lang, DecisionQuery(), n),
                )
            yield prefix + "stats.html", bind(self.stats, lang, today)


_DECISION_KINDS = tuple(k.value for k in Kind)  # the rules' kinds of decision


def _paged(section: str, page: int) -> str:
    return f"{section}/index.html" if page == 1 else f"{section}/page-{page}.html"


def _count(conn: Any, table: Any) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
