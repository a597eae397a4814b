"""Public service records, Popolo documents, exports and the change feed, from the read models."""

from __future__ import annotations

import csv
import io
import json

import orjson
import pytest

from ledger.errors import InvalidPayload, NotFound
from projections.exports import decisions_csv, ndjson, officials_csv
from projections.public_read import DecisionQuery, PublicReader
from tests.projections.conftest import Province, dump


def reader(province: Province) -> PublicReader:
    return PublicReader(province.models.reader)


def test_a_service_record_carries_posts_decisions_and_log_indexes(province: Province) -> None:
    record = reader(province).service_record("CB-CHAIR")
    assert record["person"]["name"] == "Nguyễn Văn CB-CHAIR"
    (membership,) = record["memberships"]
    assert membership["post_id"] == "QN/an-binh/chair"
    assert (membership["start_date"], membership["end_date"]) == ("2021-01-01", None)
    assert membership["decision_id"] == "QD-2021-01"
    # The membership is proved by the approval that made the decision take effect.
    (decision,) = record["decisions"]
    assert membership["log_index"] == decision["effect_log_index"] == decision["log_indexes"][-1]
    assert decision["flags"] == ["R11"] and decision["summary"] == "appointment của CB-CHAIR"
    # The log index is the leaf the ledger's own reads report for that statement.
    history = province.ledger.personnel.history("decision", "QD-2021-01")
    assert decision["log_indexes"] == [h["log_index"] for h in history]


def test_probation_training_and_an_annulled_commendation(province: Province) -> None:
    record = reader(province).service_record("CB-A")
    (probation,) = record["probations"]
    assert probation["confirmed"] is None and probation["decision_id"] == "QD-P1"
    assert probation["deadline"] == province.desk.days(170)
    # Probation puts the official in the post for its duration.
    assert [m["post_id"] for m in record["memberships"]] == ["QN/an-binh/vice"]
    (training,) = record["training"]
    assert training["course"] == "Bồi dưỡng" and isinstance(training["log_index"], int)
    # The annulled commendation stays visible as a decision, but is no commendation.
    statuses = {d["id"]: d["status"] for d in record["decisions"]}
    assert statuses == {"QD-P1": "approved", "QD-K1": "annulled"}
    assert record["commendations"] == []


def test_a_held_decision_shows_only_that_it_is_held(province: Province) -> None:
    record = reader(province).service_record("CB-REP")
    (held,) = record["decisions"]
    assert held["status"] == "held" and record["discipline"] == []
    (hold,) = [v for v in held["verdicts"] if v["outcome"] == "hold"]
    assert hold["rule_id"] is None and hold["source"] is None


def test_an_erased_official_has_no_name_in_any_read_model(province: Province) -> None:
    record = reader(province).service_record("CB-B")
    assert record["person"]["name"] is None and record["person"]["erased"] is True
    everything = json.dumps(dump(province.models), ensure_ascii=False)
    assert "Nguyễn Văn CB-B" not in everything
    assert "Nguyễn Văn CB-A" in everything  # names of the others are public


def test_no_personal_data_beyond_the_public_profile(province: Province) -> None:
    everything = json.dumps(dump(province.models), ensure_ascii=False)
    # desk.personal_data: birth date, national id and declared relatives stay in the vault.
    for secret in ("1985-03-02", "001085012345", "relatives", "relation", "salt"):
        assert secret not in everything
    # The protection's blind index and the reporter link are not public either.
    assert "BV-1" not in everything


def test_unknown_official_and_bad_limits_are_clear_errors(province: Province) -> None:
    with pytest.raises(NotFound) as missing:
        reader(province).service_record("CB-NOBODY")
    assert missing.value.to_dict()["message_vi"].startswith("không có cán bộ")
    with pytest.raises(InvalidPayload):
        reader(province).changes(limit=0)


def test_decision_search_by_text_kind_flag_and_period(province: Province) -> None:
    r = reader(province)
    assert r.decisions(DecisionQuery()).total == 5
    # Both placements from years ago were recorded now: backdated (R11), newest first.
    flagged = r.decisions(DecisionQuery(flag="R11")).decisions
    assert [d["id"] for d in flagged] == ["QD-2021-01", "QD-F1"]
    assert r.decisions(DecisionQuery(flag="R1")).total == 0  # a whole rule id, not a prefix
    assert r.decisions(DecisionQuery(text="DISCIPLINE")).decisions[0]["id"] == "QD-D1"
    assert r.decisions(DecisionQuery(kind="recruitment", until="2019-12-31")).total == 1
    assert r.decisions(DecisionQuery(unit="QN/hoa-lac")).total == 0
    # LIKE wildcards in the text are literal.
    assert r.decisions(DecisionQuery(text="%")).total == 0
    page = r.decisions(DecisionQuery(), page=2, per_page=2)
    assert (page.page, page.pages, len(page.decisions)) == (2, 3, 2)


def test_the_change_feed_pages_in_log_order(province: Province) -> None:
    r = reader(province)
    first = r.changes(limit=10)
    second = r.changes(after=first["next_after"], limit=1000)
    indexes = [c["log_index"] for c in first["changes"] + second["changes"]]
    assert indexes == sorted(indexes) and len(set(indexes)) == len(indexes)
    assert second["next_after"] is None
    kinds = {c["record_kind"] for c in first["changes"] + second["changes"]}
    assert "protection" not in kinds and "decision" in kinds


def test_popolo_document_and_bulk_exports(province: Province) -> None:
    r = reader(province)
    document = r.popolo()
    assert {p["id"] for p in document["persons"]} >= {"CB-CHAIR", "CB-A", "CB-B"}
    assert {o["classification"] for o in document["organizations"]} == {"province", "commune"}
    assert all(m["person_id"] and m["post_id"] for m in document["memberships"])
    assert all(e["classification"].startswith("decision:") for e in document["events"])
    lines = b"".join(ndjson(r.each_service_record())).splitlines()
    assert len(lines) == len(document["persons"])
    assert orjson.loads(lines[0])["person"]["id"] == "CB-A"
    rows = list(csv.DictReader(io.StringIO("".join(officials_csv(r.each_service_record())))))
    chair = next(row for row in rows if row["id"] == "CB-CHAIR")
    assert chair["posts"] == "QN/an-binh/chair"
    decisions = list(csv.DictReader(io.StringIO("".join(decisions_csv(r.each_decision())))))
    assert [d["id"] for d in decisions][:2] == ["QD-2021-01", "QD-F1"]


def test_a_draft_enters_the_change_feed_only_once_proposed(province: Province) -> None:
    """Like the decision's own public page (404 while a draft)."""
    payload = {
        "decision_id": "QD-DRAFT",
        "kind": "commendation",
        "subject": "CB-FIN",
        "unit": "QN/an-binh",
        "effective_on": province.desk.days(0),
        "legal_basis": "Luật Thi đua, khen thưởng",
        "summary": "Khen thưởng",
    }

    def feed() -> list[tuple[str, str | None]]:
        province.models.catch_up()
        changes = reader(province).changes(limit=1000)["changes"]
        return [(c["type"], c["status"]) for c in changes if c["record_id"] == "QD-DRAFT"]

    province.desk.submit("CB-CLERK", "decision.draft", payload)
    assert feed() == []
    province.desk.submit("CB-CHAIR", "decision.propose", {"decision_id": "QD-DRAFT"})
    assert feed() == [("decision.propose", "proposed")]
