"""Every personnel statement type: the record it changes, its payload shape and who may sign it.

This is the authority matrix of personnel work as data: a signer whose role is not listed for a
type, or whose unit scope does not cover the unit concerned, is refused (403).
"""

from __future__ import annotations

from typing import Any

from ledger.personnel.fields import (
    Field,
    day,
    flag,
    ident,
    integer,
    levels,
    list_of,
    obj,
    official_ident,
    one_of,
    optional,
    sha256_hex,
    text,
)
from ledger.personnel.kinds import PRIVATE_FIELD, StatementKind, kind
from ledger.reports.statements import REPORT_STATEMENTS
from ledger.rounds.statements import ROUND_STATEMENTS
from ledger.rules.decision import Kind, RotationKind
from ledger.rules.model import Penalty, Rank, TitleGroup

SPECIAL_AREAS = frozenset({"border", "mountainous", "island", "ethnic_minority"})
SENSITIVE_AREAS = frozenset(
    {
        "personnel",
        "finance",
        "accounting",
        "treasury",
        "inspection",
        "land",
        "construction",
        "tax",
        "customs",
        "procurement",
    }
)
TRAINING_KINDS = frozenset({"by_title", "by_problem", "situational"})
TASK_OUTCOMES = frozenset({"done", "failed", "abandoned"})
INITIATIVE_ASSESSMENTS = frozenset({"legitimate", "sloppy", "abuse"})


ID = ident()
REASON = text(2000, "reason")
LEGAL_BASIS = text(500, "legal basis: document and article")
ORGANISERS = {"registrar"}
PERSONNEL_STAFF = {"official", "clerk", "registrar"}
DECIDERS = {"official", "committee"}

_DECISION_FIELDS: dict[str, Field] = {
    "decision_id": ID,
    "kind": one_of([k.value for k in Kind]),
    "subject": ident("official id"),
    "unit": ident("issuing unit"),
    "effective_on": day("effective date"),
    "legal_basis": LEGAL_BASIS,
    "summary": text(2000, "public summary"),
    "framework_version": optional(text(200, "framework version cited, <framework id>@<n>")),
    "target_post": optional(ident("post")),
    "leaves_posts": optional(list_of(ident("post"), 20)),
    "until": optional(day("end of probation, term or secondment")),
    "rotation": optional(one_of([r.value for r in RotationKind])),
    "penalty": optional(one_of([p.value for p in Penalty])),
    "violation_id": optional(ID),
    "violation_on": optional(day("date of the violation")),
    "violation_category": optional(text(100, "violation category")),
    "justification": optional(text(4000, "signed justification of a competency gap")),
    "creates_new_post": optional(flag()),
    "demotion": optional(flag()),
    "notice_given_on": optional(day("term-end notice date")),
    "collective": optional(obj("competent collective: {members, present, votes_for}")),
    "evaluation": optional(obj("evaluation inputs: {period, general_points, products, band, ...}")),
    "under_initiative": optional(ident("registered initiative the act is taken under")),
    "under_consultation": optional(ident("consultation answer the act is taken under")),
}

CATALOGUE: dict[str, StatementKind] = {
    k.type: k
    for k in [
        kind(
            "unit.establish",
            "unit",
            True,
            ORGANISERS,
            "Establish a province, commune or ward",
            {
                "unit_id": ID,
                "name": text(200, "name"),
                "level": one_of(["province", "commune", "ward"]),
                "parent": optional(ident("parent unit")),
                "special_areas": optional(list_of(one_of(SPECIAL_AREAS), 4)),
                "established_on": day(),
            },
        ),
        kind(
            "unit.reorganise",
            "reorganisation",
            True,
            ORGANISERS,
            "Merge units into one or split one, with succession of posts and their holders",
            {
                "reorganisation_id": ID,
                "kind": one_of(["merger", "split"]),
                "from": list_of(ident("unit"), 20),
                "into": list_of(ident("unit"), 20),
                "effective_on": day(),
                "legal_basis": LEGAL_BASIS,
                "posts": optional(obj("post id: successor unit id")),
            },
        ),
        kind(
            "post.create",
            "post",
            True,
            PERSONNEL_STAFF,
            "Create a job position",
            {
                "post_id": ID,
                "unit": ident("unit"),
                "title": text(200, "title"),
                "title_group": one_of([g.value for g in TitleGroup]),
                "rank": optional(one_of([r.value for r in Rank])),
                "grade": optional(integer(0, 20, "seniority grade")),
                "headcount": optional(integer(1, 500, "headcount")),
                "sensitive_area": optional(one_of(SENSITIVE_AREAS)),
                "sector": optional(text(100, "one of Regulation 114's 13 sectors this post heads")),
                "top": optional(flag("the unit's top post")),
                "collective": optional(ident("leadership collective")),
                "key_position": optional(flag("requires probation")),
                "reports_to": optional(ident("supervising post")),
                "incompatible_with": optional(list_of(ident("post"), 20)),
                "created_on": day(),
            },
        ),
        kind(
            "post.abolish",
            "post",
            False,
            PERSONNEL_STAFF,
            "Abolish a job position",
            {
                "post_id": ID,
                "abolished_on": day(),
                "reason": REASON,
            },
        ),
        kind(
            "framework.propose",
            "framework",
            None,
            PERSONNEL_STAFF | {"committee"},
            "Propose a new version of a province's framework for a title group",
            {
                "framework_id": ID,
                "province": ident("province"),
                "title_group": one_of([g.value for g in TitleGroup]),
                "effective_on": day(),
                "competencies": levels("required competencies"),
                "priority_competencies": optional(obj("special area: {competency: level}")),
                "parameters": optional(obj("rule parameters")),
                "summary": text(4000, "what changes and why"),
            },
        ),
        kind(
            "framework.approve",
            "framework",
            False,
            {"committee"},
            "Approve a proposed framework version (a member of the competent body)",
            {
                "framework_id": ID,
                "proposal": integer(1, 10_000, "proposal number"),
            },
        ),
        kind(
            "framework.publish",
            "framework",
            False,
            PERSONNEL_STAFF | {"committee"},
            "Publish an approved framework version with its effective date",
            {
                "framework_id": ID,
                "proposal": integer(1, 10_000, "proposal number"),
            },
        ),
        kind(
            "framework.withdraw",
            "framework",
            False,
            PERSONNEL_STAFF | {"committee"},
            "Withdraw a proposal before it is published",
            {
                "framework_id": ID,
                "proposal": integer(1, 10_000),
                "reason": REASON,
            },
        ),
        kind(
            "framework.annul",
            "framework",
            False,
            {"inspector"},
            "Annul a published version (inspection, with reasons): it no longer applies to "
            "decisions recorded after",
            {
                "framework_id": ID,
                "proposal": integer(1, 10_000),
                "reason": REASON,
            },
        ),
        kind(
            "official.register",
            "official",
            True,
            PERSONNEL_STAFF,
            "Register an official: public profile, personal data sealed beside the log",
            {
                "official_id": official_ident("pseudonymous official id"),
                "unit": ident("unit"),
                "title": text(200, "public title"),
                "registered_on": day(),
                PRIVATE_FIELD: sha256_hex("commitment to the personal data"),
            },
            private=True,
        ),
        kind(
            "official.update",
            "official",
            False,
            PERSONNEL_STAFF,
            "Change an official's public profile or personal data",
            {
                "official_id": ID,
                "unit": optional(ident("unit")),
                "title": optional(text(200, "public title")),
                PRIVATE_FIELD: optional(sha256_hex("commitment to the new personal data")),
            },
            private=True,
        ),
        kind(
            "official.training",
            "official",
            False,
            PERSONNEL_STAFF,
            "Record a training",
            {
                "official_id": ID,
                "training_id": ID,
                "course": text(300, "course"),
                "kind": one_of(TRAINING_KINDS),
                "completed_on": day(),
                "competencies": optional(levels("competency levels reached")),
            },
        ),
        kind(
            "official.plan",
            "official",
            False,
            PERSONNEL_STAFF | {"committee"},
            "Put an official in the succession plan (for a post, or in general)",
            {
                "official_id": ID,
                "post_id": optional(ident("post")),
            },
        ),
        kind(
            "official.erase",
            "official",
            False,
            {"registrar"},
            "Erase an official's personal data (its key is destroyed; the log still verifies)",
            {
                "official_id": ID,
                "reason": REASON,
            },
        ),
        kind(
            "decision.draft",
            "decision",
            True,
            PERSONNEL_STAFF,
            "Draft a personnel decision",
            _DECISION_FIELDS,
        ),
        kind(
            "decision.propose",
            "decision",
            None,
            DECIDERS,
            "Propose a personnel decision (new, or a draft by its id alone)",
            {**{k: optional(v) for k, v in _DECISION_FIELDS.items()}, "decision_id": ID},
        ),
        kind(
            "decision.approve",
            "decision",
            False,
            DECIDERS,
            "Approve the proposed revision of a decision",
            {
                "decision_id": ID,
                "revision": integer(1, 10_000, "revision approved"),
            },
        ),
        kind(
            "decision.withdraw",
            "decision",
            False,
            DECIDERS | {"clerk"},
            "Withdraw one's own decision before it is approved",
            {
                "decision_id": ID,
                "reason": REASON,
            },
        ),
        kind(
            "decision.release",
            "decision",
            False,
            {"inspector"},
            "Release a held decision after independent review",
            {
                "decision_id": ID,
                "reason": REASON,
            },
        ),
        kind(
            "decision.annul",
            "decision",
            False,
            {"inspector"},
            "Annul a decision, with reasons (inspection)",
            {
                "decision_id": ID,
                "reason": REASON,
            },
        ),
        kind(
            "review.open",
            "review",
            True,
            DECIDERS,
            "Open a disciplinary review",
            {
                "review_id": ID,
                "official": ident("official"),
                "unit": ident("unit"),
                "opened_on": day(),
                "legal_basis": LEGAL_BASIS,
            },
        ),
        kind(
            "review.close",
            "review",
            False,
            DECIDERS,
            "Close a disciplinary review",
            {
                "review_id": ID,
                "closed_on": day(),
                "outcome": text(2000, "outcome"),
            },
        ),
        kind(
            "postponement.record",
            "postponement",
            True,
            PERSONNEL_STAFF,
            "Record a case postponing discipline (its reason is sealed personal data)",
            {
                "postponement_id": ID,
                "official": ident("official"),
                "unit": ident("unit"),
                "since": day(),
                "until": optional(day()),
                PRIVATE_FIELD: sha256_hex("commitment to {salt, reason}"),
            },
            private=True,
        ),
        kind(
            "postponement.end",
            "postponement",
            False,
            PERSONNEL_STAFF,
            "End a postponement case",
            {"postponement_id": ID, "until": day()},
        ),
        kind(
            "protection.grant",
            "protection",
            True,
            {"protection_officer", "intake"},
            "Protect a reporter, named only by a keyed blind index",
            {
                "protection_id": ID,
                "index": sha256_hex("blind index of the official"),
                "unit": ident("unit"),
                "since": day(),
                "until": optional(day()),
            },
        ),
        kind(
            "protection.end",
            "protection",
            False,
            {"protection_officer"},
            "End a reporter's protection",
            {"protection_id": ID, "until": day()},
        ),
        kind(
            "task.register",
            "task",
            True,
            PERSONNEL_STAFF | {"committee"},
            "Register a hard task that needs a responsible official",
            {
                "task_id": ID,
                "unit": ident("unit"),
                "title": text(300, "title"),
                "description": text(8000, "description"),
                "deadline": day(),
            },
        ),
        kind(
            "task.assign",
            "task",
            False,
            DECIDERS,
            "Assign a hard task to an official",
            {
                "task_id": ID,
                "official": ident("official"),
                "assigned_on": day(),
            },
        ),
        kind(
            "task.close",
            "task",
            False,
            DECIDERS,
            "Record a hard task's outcome",
            {
                "task_id": ID,
                "outcome": one_of(TASK_OUTCOMES),
                "result": text(8000, "result"),
                "closed_on": day(),
            },
        ),
        kind(
            "initiative.register",
            "initiative",
            True,
            PERSONNEL_STAFF,
            "Register an initiative before work starts",
            {
                "initiative_id": ID,
                "official": ident("official"),
                "unit": ident("unit"),
                "aim": text(4000, "aim"),
                "scope": text(4000, "scope"),
                "risks": text(4000, "risks"),
                "expected_result": text(4000, "expected result"),
                "starts_on": day(),
            },
        ),
        kind(
            "initiative.evaluate",
            "initiative",
            False,
            DECIDERS,
            "Evaluate an initiative after the work",
            {
                "initiative_id": ID,
                "assessment": one_of(INITIATIVE_ASSESSMENTS),
                "evaluation": text(8000, "evaluation"),
                "evaluated_on": day(),
            },
        ),
        kind(
            "consultation.ask",
            "consultation",
            True,
            PERSONNEL_STAFF | {"committee"},
            "Ask the level above about a new situation, with a deadline",
            {
                "consultation_id": ID,
                "unit": ident("unit asking"),
                "to_unit": ident("unit above"),
                "question": text(8000, "question"),
                "deadline": day(),
            },
        ),
        kind(
            "consultation.answer",
            "consultation",
            False,
            DECIDERS,
            "Answer a consultation (signed by the level above)",
            {
                "consultation_id": ID,
                "answer": text(8000, "answer"),
            },
        ),
    ]
}


CATALOGUE.update({k.type: k for k in [*REPORT_STATEMENTS, *ROUND_STATEMENTS]})


def statement_types_table() -> list[dict[str, Any]]:
    """Every personnel statement type, as published."""
    return [k.to_json() for k in CATALOGUE.values()]
