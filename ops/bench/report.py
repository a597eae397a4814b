"""The benchmark's human-readable table and its one-line JSON summary."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Target:
    """A figure's goal: at least or at most a value."""

    value: float
    at_most: bool = False

    def met(self, figure: float) -> bool:
        """True if the figure meets the goal."""
        return figure <= self.value if self.at_most else figure >= self.value

    def text(self, fmt: Callable[[float], str]) -> str:
        """The goal as shown in the table."""
        return ("<= " if self.at_most else ">= ") + fmt(self.value)


TARGETS = {
    "ingest_ratio": Target(0.6),
    "bulk_ingest_per_s": Target(4000),
    "verify_ratio": Target(1.3),
    "verify_peak_rss_mib": Target(256, at_most=True),
    "inclusion_proof_ms_p99": Target(2.0, at_most=True),
}

# (JSON key, label, unit, format)
ROWS: list[tuple[str, str, str, Callable[[float], str]]] = [
    ("ingest_per_s", "ingest, 1 statement per submit", "stmt/s", lambda v: f"{v:,.0f}"),
    (
        "raw_eventsourcing_per_s",
        "plain eventsourcing, 1 event per save",
        "ev/s",
        lambda v: f"{v:,.0f}",
    ),
    ("ingest_ratio", "ingest / plain eventsourcing", "", lambda v: f"{v:.2f}"),
    (
        "bulk_ingest_per_s",
        "bulk ingest, 100 statements per submit",
        "stmt/s",
        lambda v: f"{v:,.0f}",
    ),
    ("verify_per_s", "canbo verify (data dir of the bulk log)", "leaves/s", lambda v: f"{v:,.0f}"),
    ("ed25519_verify_per_s", "bare Ed25519 verify, one core", "sig/s", lambda v: f"{v:,.0f}"),
    ("verify_ratio", "verify / bare Ed25519", "", lambda v: f"{v:.2f}"),
    ("verify_peak_rss_mib", "verify peak RSS, whole process tree", "MiB", lambda v: f"{v:,.1f}"),
    ("inclusion_proof_ms_p50", "inclusion proof p50 (SQL path)", "ms", lambda v: f"{v:.3f}"),
    ("inclusion_proof_ms_p99", "inclusion proof p99 (SQL path)", "ms", lambda v: f"{v:.3f}"),
]


def table(summary: dict[str, Any], phases: dict[str, dict[str, float]]) -> str:
    """The figures, their targets and verdicts, the per-phase cost of ingest, and the notes."""
    lines = [f"{'figure':<42} {'value':>12} {'unit':<9} {'target':>10}  verdict"]
    lines.append("-" * len(lines[0]))
    for key, label, unit, fmt in ROWS:
        value = summary.get(key)
        target = TARGETS.get(key)
        if value is None:
            shown, verdict = "n/a", "not measured"
        else:
            shown = fmt(value)
            verdict = "" if target is None else ("ok" if target.met(value) else "MISSED")
        goal = target.text(fmt) if target is not None else ""
        lines.append(f"{label:<42} {shown:>12} {unit:<9} {goal:>10}  {verdict}")
    if phases:
        columns = list(phases)
        labels = list(dict.fromkeys(label for column in phases.values() for label in column))
        lines.append("")
        header = "".join(f"{c:>16}" for c in columns)
        lines.append(f"{'time per statement (us), by phase':<46}{header}")
        for label in labels:
            cells = "".join(
                f"{phases[c][label]:>16,.0f}" if label in phases[c] else f"{'-':>16}"
                for c in columns
            )
            lines.append(f"{label:<46}{cells}")
        lines.append(
            "(wall-clock timers around the ledger's calls, on fresh logs; an indented row is part "
            "of a row above it, e.g. Sequencer.sequence_within runs inside the save)"
        )
    lines.append("")
    lines.extend(f"- {note}" for note in summary.get("notes", []))
    return "\n".join(lines)


def json_line(summary: dict[str, Any]) -> str:
    """The summary as one line of JSON (the last line of the output)."""
    return json.dumps(summary, ensure_ascii=False, separators=(",", ":"))
