"""Power-control rules: small pure functions over a proposed decision and the state it meets.

Importing this package registers every rule; `evaluate` runs them, `rules_table` lists them.
"""

from __future__ import annotations

from ledger.rules import (  # noqa: F401  (imported to register their rules)
    discipline,
    evaluation,
    framework,
    people,
    posts,
    protection,
    timing,
)
from ledger.rules.decision import Collective, Decision, EvaluationInput, Kind, Product, RotationKind
from ledger.rules.evaluation import Formula, band_of, compute_band, compute_score
from ledger.rules.registry import (
    Rule,
    RuleParameterError,
    check_parameters,
    evaluate,
    get_rule,
    rule,
    rules,
    rules_table,
)
from ledger.rules.verdict import Finding, Outcome, Severity, Verdict, overall

__all__ = [
    "Collective",
    "Decision",
    "EvaluationInput",
    "Finding",
    "Formula",
    "Kind",
    "Outcome",
    "Product",
    "RotationKind",
    "Rule",
    "RuleParameterError",
    "Severity",
    "Verdict",
    "band_of",
    "check_parameters",
    "compute_band",
    "compute_score",
    "evaluate",
    "get_rule",
    "overall",
    "rule",
    "rules",
    "rules_table",
]
