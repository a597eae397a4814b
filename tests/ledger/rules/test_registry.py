"""The registry: the table, parameters from the framework, and what a rule may return."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace

import pytest

from ledger.rules import (
    Decision,
    Kind,
    Outcome,
    RuleParameterError,
    check_parameters,
    evaluate,
    get_rule,
    rule,
    rules_table,
)
from ledger.rules.model import AppointmentTerm, State
from ledger.rules.registry import _RULES, Params, RuleDefinitionError
from ledger.rules.verdict import Finding

from .world import DAY, V1, days, decision, state

ISSUE_RULES = [f"R{i:02d}" for i in range(1, 21)]


def test_the_table_has_the_twenty_rules_of_the_issue_in_order_then_the_extras() -> None:
    ids = [row["id"] for row in rules_table()]
    assert ids[:20] == ISSUE_RULES
    assert ids[20:] == ["R21", "R22", "R23", "R24"]


def test_every_row_is_bilingual_cited_and_has_a_known_severity() -> None:
    vietnamese = re.compile(r"[ăâđêôơưàáạảãèéẹẻẽìíịỉĩòóọỏõùúụủũỳýỵỷỹ]", re.IGNORECASE)
    for row in rules_table():
        assert set(row) >= {
            "id",
            "severity",
            "title_vi",
            "title_en",
            "message_vi",
            "message_en",
            "source",
            "parameters",
            "confirmed",
        }
        assert row["severity"] in {"block", "flag", "hold"}
        assert vietnamese.search(row["title_vi"]) and vietnamese.search(row["message_vi"])
        assert row["title_en"].isascii() and row["message_en"].isascii(), row["id"]
        assert row["source"].strip()


def test_rules_with_unconfirmed_figures_say_so() -> None:
    unconfirmed = {row["id"] for row in rules_table() if not row["confirmed"]}
    assert unconfirmed == {"R03", "R04", "R07", "R08", "R09", "R11", "R14", "R19"}


def test_the_table_is_a_copy_callers_cannot_change_the_defaults() -> None:
    table = rules_table()
    table[2]["parameters"]["sectors_barred_with_top"].append("anything")
    assert "anything" not in rules_table()[2]["parameters"]["sectors_barred_with_top"]


def test_a_framework_parameter_overrides_the_default_and_a_missing_one_falls_back() -> None:
    late = decision(effective_on=DAY - days(45))
    assert [v.rule_id for v in evaluate(late, state())] == ["R11"]
    lenient = replace(V1, parameters={"max_backdate_days": 45, "unrelated_setting": "x"})
    assert evaluate(late, replace(state(), frameworks=(lenient,))) == []


@pytest.mark.parametrize(
    ("name", "value", "expected", "found"),
    [
        ("max_backdate_days", "30", "integer", "string"),
        ("max_backdate_days", 30.5, "integer", "number"),
        ("max_backdate_days", True, "integer", "boolean"),
        ("quorum_fraction", 0.66, "string", "number"),
        ("holidays", "2026-04-30", "array", "string"),
        ("collective_kinds", ["appointment", 3], "array", "array"),
    ],
)
def test_a_parameter_of_the_wrong_type_is_refused(
    name: str, value: object, expected: str, found: str
) -> None:
    with pytest.raises(RuleParameterError) as caught:
        check_parameters({name: value})
    assert caught.value.code == "invalid_rule_parameter"
    assert caught.value.details == {"parameter": name, "expected": expected, "found": found}
    assert caught.value.message_vi and caught.value.message_en
    framework = replace(V1, parameters={name: value})
    with pytest.raises(RuleParameterError):
        evaluate(decision(), replace(state(), frameworks=(framework,)))


def test_holidays_must_be_iso_dates() -> None:
    framework = replace(V1, parameters={"holidays": ["30/4"]})
    d = decision(kind=Kind.REAPPOINTMENT, subject="vice1", target_post="vice", leaves_posts=())
    world = replace(
        state(), frameworks=(framework,), terms=(AppointmentTerm("vice1", "vice", DAY),)
    )
    with pytest.raises(RuleParameterError):
        evaluate(d, world)


def test_a_rule_id_cannot_be_registered_twice() -> None:
    with pytest.raises(RuleDefinitionError):
        rule(
            id="R01",
            severity="block",
            title_vi="x",
            title_en="x",
            message_vi="x",
            message_en="x",
            source="x",
        )(get_rule("R01").check)


def test_a_parameter_name_cannot_have_two_defaults() -> None:
    with pytest.raises(RuleDefinitionError):
        rule(
            id="R99-test",
            severity="flag",
            title_vi="x",
            title_en="x",
            message_vi="x",
            message_en="x",
            source="x",
            parameters={"max_backdate_days": 1},
        )(get_rule("R01").check)


def test_evaluate_is_pure_the_same_inputs_give_the_same_verdicts() -> None:
    d, world = decision(approvers=("cand",)), state()
    assert evaluate(d, world) == evaluate(d, world)
    assert [v.rule_id for v in evaluate(d, world)] == ["R01"]


def test_a_rule_giving_an_outcome_beyond_its_severity_is_a_bug() -> None:
    def too_grave(d: Decision, s: State, p: Params) -> Finding:
        return Finding("vi", "en", outcome=Outcome.BLOCK)

    rule(
        id="R98-test",
        severity="flag",
        title_vi="x",
        title_en="x",
        message_vi="x",
        message_en="x",
        source="x",
        kinds=[Kind.RESIGNATION],
    )(too_grave)
    try:
        with pytest.raises(RuleDefinitionError, match="beyond its severity"):
            evaluate(decision(kind=Kind.RESIGNATION, target_post=None), state())
    finally:
        _RULES.pop("R98-test")


def test_the_rules_import_no_framework_storage_or_clock() -> None:
    code = (
        "import sys, ledger.rules; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('eventsourcing', 'fastapi', 'sqlalchemy', 'psycopg', 'random', 'secrets')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
