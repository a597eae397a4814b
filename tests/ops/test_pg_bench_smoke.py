"""`python -m ops.bench.pg` at a tiny size: both processes start, every figure is there."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops.bench.pg import bench_pg
from tests.conftest import POSTGRES_ADMIN_URL

FIGURES = ["pg_ingest_per_s", "pg_p99_ms", "sequencer_lag_p99_s", "raw_eventsourcing_pg_per_s"]


@pytest.mark.slow
@pytest.mark.postgres
def test_the_pg_benchmark_measures_every_figure(postgres_database_url: str, tmp_path: Path) -> None:
    # postgres_database_url: the same reachability check (skip, or fail in CI) as other tests.
    summary = bench_pg(
        tmp_path,
        n=30,
        rounds=1,
        concurrency=4,
        admin_url=POSTGRES_ADMIN_URL,
        say=lambda _: None,
        also=(2,),
    )
    for figure in FIGURES:
        assert isinstance(summary[figure], float) and summary[figure] >= 0, figure
    assert summary["pg_ingest_per_s"] > 0 and summary["raw_eventsourcing_pg_per_s"] > 0
    assert summary["lag_samples"] >= 30  # every statement of the round was seen both ways
    assert summary["pg_p50_ms"] <= summary["pg_p99_ms"]
    # The rounds beside the main one, each with its own figures against the same raw saves.
    assert set(summary["pg_by_concurrency"]) == {"4", "2"}
    assert summary["pg_by_concurrency"]["4"]["per_s"] == summary["pg_ingest_per_s"]
    assert summary["pg_by_concurrency"]["2"]["per_s"] > 0
