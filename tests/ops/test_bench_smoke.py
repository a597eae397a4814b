"""`python -m ops.bench` at tiny sizes: every figure is there and positive (no timing asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ops.bench.__main__ as bench_main
from ops.bench.report import ROWS, json_line, table
from ops.bench.run import Config, run

REQUIRED = [
    "ingest_per_s",
    "raw_eventsourcing_per_s",
    "ingest_ratio",
    "bulk_ingest_per_s",
    "verify_per_s",
    "ed25519_verify_per_s",
    "verify_ratio",
    "verify_peak_rss_mib",
    "inclusion_proof_ms_p50",
    "inclusion_proof_ms_p99",
]

TINY = Config(
    ingest_n=20,
    bulk_n=200,
    proof_leaves=3_000,
    proof_count=50,
    rounds=2,
    verify_rounds=1,
    phase_n=20,
    ed25519_seconds=0.1,
    quick=True,
)


def test_every_figure_is_measured_and_positive(tmp_path: Path) -> None:
    # A whole run at tiny sizes, as `--quick` does it but smaller.
    summary, phases = run(TINY, tmp_path)

    # The JSON line parses back and carries each required figure as a positive number.
    parsed = json.loads(json_line(summary))
    for key in REQUIRED:
        assert isinstance(parsed[key], int | float) and not isinstance(parsed[key], bool), key
        assert parsed[key] > 0, key
    assert parsed["quick"] is True
    assert any("QUICK" in note for note in parsed["notes"])

    # Both ingest modes have a phase breakdown, and the table shows every figure's row.
    assert set(phases) == {"1 per submit", "100 per submit"}
    assert all(column["Ledger.submit (total)"] > 0 for column in phases.values())
    shown = table(summary, phases)
    assert all(label in shown for _, label, _, _ in ROWS)


def test_the_last_line_of_the_output_is_the_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A stand-in for the run, so this checks the command line only: sizes reach the run, the
    # table comes first, and the JSON object is the last line.
    seen: list[Config] = []

    def fake_run(
        cfg: Config, root: Path, progress: object
    ) -> tuple[dict[str, object], dict[str, dict[str, float]]]:
        seen.append(cfg)
        return {"quick": cfg.quick, "ingest_per_s": 1.0, "notes": ["a note"]}, {}

    monkeypatch.setattr(bench_main, "run", fake_run)
    assert bench_main.main(["--quick", "--proof-leaves=1000", "--bulk-n=100"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert json.loads(lines[-1]) == {"quick": True, "ingest_per_s": 1.0, "notes": ["a note"]}
    assert any("- a note" in line for line in lines[:-1])
    assert (seen[0].quick, seen[0].proof_leaves, seen[0].bulk_n) == (True, 1000, 100)

    # With --json-only the JSON is all there is.
    bench_main.main(["--json-only"])
    assert len(capsys.readouterr().out.strip().splitlines()) == 1
