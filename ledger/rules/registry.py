"""The rule registry: `@rule` declares a rule, `evaluate` runs the applicable ones on a decision."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ledger.errors import LedgerError
from ledger.rules.decision import Decision, Kind
from ledger.rules.model import EMPTY, State
from ledger.rules.verdict import Finding, Outcome, Severity, Verdict

Params = Mapping[str, Any]
Check = Callable[[Decision, State, Params], Finding | None]


class RuleParameterError(LedgerError):
    """A framework gives a rule parameter of the wrong type."""

    code = "invalid_rule_parameter"


class RuleDefinitionError(Exception):
    """Two rules clash (same id, or one parameter name with different defaults)."""


@dataclass(frozen=True)
class Rule:
    """A registered rule: its identity, what it says, where the law says it, and its check."""

    id: str
    severity: Severity
    title_vi: str
    title_en: str
    message_vi: str
    message_en: str
    source: str
    parameters: Mapping[str, Any]
    confirmed: bool
    kinds: frozenset[Kind] | None
    check: Check

    def applies_to(self, decision: Decision) -> bool:
        """True if the rule looks at decisions of this kind."""
        return self.kinds is None or decision.kind in self.kinds

    def resolve(self, overrides: Mapping[str, Any]) -> Params:
        """The rule's parameters: the framework's value where given, else the default."""
        resolved = {}
        for name, default in self.parameters.items():
            value = overrides.get(name, default)
            _check_type(name, value, default)
            resolved[name] = value
        return MappingProxyType(resolved)

    def to_json(self) -> dict[str, Any]:
        """The rule as a row of the public table."""
        return {
            "id": self.id,
            "severity": self.severity.value,
            "title_vi": self.title_vi,
            "title_en": self.title_en,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "source": self.source,
            "parameters": copy.deepcopy(dict(self.parameters)),  # callers may not edit defaults
            "confirmed": self.confirmed,
            "applies_to": sorted(k.value for k in self.kinds) if self.kinds else None,
        }


_RULES: dict[str, Rule] = {}
_DEFAULTS: dict[str, Any] = {}


def rule(
    *,
    id: str,
    severity: str,
    title_vi: str,
    title_en: str,
    message_vi: str,
    message_en: str,
    source: str,
    parameters: Mapping[str, Any] | None = None,
    confirmed: bool = True,
    kinds: Iterable[Kind] | None = None,
) -> Callable[[Check], Check]:
    """Register a check as a rule; `confirmed=False` marks figures the sources do not confirm."""

    def register(check: Check) -> Check:
        if id in _RULES:
            raise RuleDefinitionError(f"rule {id} is defined twice")
        params = dict(parameters or {})
        for name, default in params.items():
            if name in _DEFAULTS and _DEFAULTS[name] != default:
                raise RuleDefinitionError(f"parameter {name} has two defaults")
        _DEFAULTS.update(params)
        _RULES[id] = Rule(
            id=id,
            severity=Severity(severity),
            title_vi=title_vi,
            title_en=title_en,
            message_vi=message_vi,
            message_en=message_en,
            source=source,
            parameters=MappingProxyType(params),
            confirmed=confirmed,
            kinds=frozenset(kinds) if kinds is not None else None,
            check=check,
        )
        return check

    return register


def rules() -> list[Rule]:
    """Every registered rule, in id order (R01, R02, ..., R10, ...)."""
    return sorted(_RULES.values(), key=lambda r: (len(r.id), r.id))


def get_rule(rule_id: str) -> Rule:
    """The rule with that id; KeyError if none."""
    return _RULES[rule_id]


def rules_table() -> list[dict[str, Any]]:
    """The public table of rules, with default parameters."""
    return [r.to_json() for r in rules()]


def check_parameters(parameters: Mapping[str, Any]) -> None:
    """Refuse a framework whose rule parameters have the wrong type (others are not ours)."""
    for name, value in parameters.items():
        if name in _DEFAULTS:
            _check_type(name, value, _DEFAULTS[name])


def evaluate(decision: Decision, state: State) -> list[Verdict]:
    """Run every applicable rule; return the verdicts that are not ok, in rule order.

    Parameters come from the framework in force on the decision's effective date (as published
    when it was recorded), with each rule's default where the framework is silent.
    """
    framework = state.framework_at(decision.effective_on, known_at=decision.recorded_at)
    overrides = framework.parameters if framework is not None else EMPTY
    check_parameters(overrides)  # a bad figure fails every decision, not only those it concerns
    verdicts = []
    for r in rules():
        if not r.applies_to(decision):
            continue
        finding = r.check(decision, state, r.resolve(overrides))
        if finding is None:
            continue
        outcome = finding.outcome or r.severity.outcome
        if outcome.weight > r.severity.outcome.weight or outcome is Outcome.OK:
            raise RuleDefinitionError(f"rule {r.id} gave {outcome} beyond its severity")
        verdicts.append(
            Verdict(
                rule_id=r.id,
                outcome=outcome,
                message_vi=finding.message_vi,
                message_en=finding.message_en,
                source=r.source,
                details=MappingProxyType(dict(finding.details)),
                inspection_note=finding.inspection_note,
            )
        )
    return verdicts


def _fits(value: Any, default: Any) -> bool:
    want, got = _json_kind(default), _json_kind(value)
    if want == "number" and got == "integer":
        return True
    if want != got:
        return False
    if isinstance(default, list | tuple) and default:
        return all(_fits(v, default[0]) for v in value)
    return True


def _check_type(name: str, value: Any, default: Any) -> None:
    if not _fits(value, default):
        raise RuleParameterError(
            f"rule parameter {name} must be like {default!r}, got {value!r}",
            f"tham số quy tắc {name} phải cùng kiểu với {default!r}, nhận được {value!r}",
            parameter=name,
            expected=_json_kind(default),
            found=_json_kind(value),
        )


def _json_kind(value: Any) -> str:
    # bool before int: True is an int in Python but not a number in a framework document.
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__
