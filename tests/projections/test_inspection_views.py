"""Inspection views over the read models, scoped to the inspector's units."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ledger.errors import NotAuthorised, NotFound
from projections.charts import bar_chart, stacked_bar_chart
from projections.inspection.communes import compare_communes
from projections.inspection.decisions import decisions_in_period, held_decisions
from projections.inspection.posts import posts_and_holders, probations_due, rotations_overdue
from projections.inspection.registers import consultations, initiatives, tasks_without_owner
from projections.inspection.scope import Scope
from tests.ledger.personnel.conftest import COMMUNE, OTHER_COMMUNE, PROVINCE
from tests.projections.conftest import Province

PROVINCE_SCOPE = Scope(PROVINCE)
OTHER = Scope(OTHER_COMMUNE)


def test_decisions_of_a_period_with_their_flags(province: Province) -> None:
    engine = province.models.reader
    found = decisions_in_period(engine, PROVINCE_SCOPE, date(2019, 1, 1), date(2021, 12, 31))
    assert [(d["id"], d["flags"]) for d in found] == [("QD-F1", ["R11"]), ("QD-2021-01", ["R11"])]
    # The other commune's inspector sees none of An Bình's decisions.
    assert decisions_in_period(engine, OTHER, date(2000, 1, 1), date(2100, 1, 1)) == []


def test_held_decisions_show_the_reason_to_inspection(province: Province) -> None:
    (held,) = held_decisions(province.models.reader, PROVINCE_SCOPE)
    assert held["decision_id"] == "QD-D1" and held["status"] == "held"
    (reason,) = held["reasons"]
    # The rule and its source, hidden from the public, re-derived from the log.
    assert reason["rule_id"] == "R15" and reason["source"]
    assert reason["inspection_note"]
    assert held_decisions(province.models.reader, OTHER) == []


def test_a_unit_outside_the_scope_is_refused_and_an_unknown_one_is_not_found(
    province: Province,
) -> None:
    engine = province.models.reader
    with pytest.raises(NotAuthorised) as outside:
        held_decisions(engine, Scope(OTHER_COMMUNE, unit=COMMUNE))
    assert "ngoài phạm vi" in outside.value.to_dict()["message_vi"]
    with pytest.raises(NotFound):
        held_decisions(engine, Scope(PROVINCE, unit="QN/nowhere"))
    # Narrowing to a unit within the scope works.
    assert len(held_decisions(engine, Scope(PROVINCE, unit=COMMUNE))) == 1


def test_probations_due_and_rotations_overdue(province: Province) -> None:
    engine, today = province.models.reader, province.desk.today
    assert probations_due(engine, PROVINCE_SCOPE, today, within_days=30) == []
    (due,) = probations_due(engine, PROVINCE_SCOPE, today, within_days=200)
    assert (due["official_id"], due["overdue"], due["days_left"]) == ("CB-A", False, 170)
    (late,) = probations_due(engine, PROVINCE_SCOPE, today + timedelta(days=171))
    assert late["overdue"] is True
    (overdue,) = rotations_overdue(engine, PROVINCE_SCOPE, today)
    assert (overdue["official_id"], overdue["sensitive_area"]) == ("CB-FIN", "finance")
    assert overdue["due"] == "2024-03-01" and overdue["rotation_years"] == 5
    assert rotations_overdue(engine, PROVINCE_SCOPE, date(2024, 2, 29)) == []


def test_vacancies_and_overlaps(province: Province) -> None:
    found = posts_and_holders(province.models.reader, PROVINCE_SCOPE, province.desk.today)
    assert [v["post_id"] for v in found["vacancies"]] == [f"{COMMUNE}/culture"]
    assert found["overfilled_posts"] == [] and found["officials_in_several_posts"] == []


def test_registers(province: Province) -> None:
    engine, today = province.models.reader, province.desk.today
    (task,) = tasks_without_owner(engine, PROVINCE_SCOPE, today)
    assert (task["task_id"], task["overdue"]) == ("NV-1", False)
    assert [i["initiative_id"] for i in initiatives(engine, PROVINCE_SCOPE)] == ["SK-1"]
    (asked,) = consultations(engine, PROVINCE_SCOPE, today)
    assert asked["status"] == "answered"


def test_communes_compared_side_by_side(province: Province) -> None:
    engine, today = province.models.reader, province.desk.today
    rows = compare_communes(engine, PROVINCE_SCOPE, PROVINCE, date(2015, 1, 1), today, today)
    by_unit = {r["unit_id"]: r for r in rows}
    an_binh = by_unit[COMMUNE]
    assert (an_binh["officials"], an_binh["decisions"], an_binh["held"]) == (7, 5, 1)
    assert an_binh["flagged_rate"] == 40.0 and an_binh["recorded_on_time_rate"] == 60.0
    assert an_binh["vacancies"] == 1 and an_binh["consultations_on_time_rate"] == 100.0
    assert by_unit[OTHER_COMMUNE]["decisions"] == 0
    assert by_unit[OTHER_COMMUNE]["flagged_rate"] is None
    with pytest.raises(NotAuthorised):
        compare_communes(engine, OTHER, PROVINCE, date(2015, 1, 1), today, today)


def test_charts_are_self_contained_svg() -> None:
    svg = bar_chart("Tỷ lệ <cờ>", [("Xã An Bình", 40.0), ("Phường Hoà Lạc", 0)], unit="%")
    assert svg.startswith("<svg") and "&lt;cờ&gt;" in svg and "40%" in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    stacked = stacked_bar_chart("Xếp loại", ["A", "B"], [("Xã", [3, 1])])
    assert stacked.count("<rect") == 4 and "<desc>Xã: A 3, B 1</desc>" in stacked
