"""`python -m ops.bench.http` at a tiny size: both servers start, every figure is there."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops.bench.http import bench_http
from ops.bench.http_load import run_load

FIGURES = ["http_ingest_per_s", "http_p50_ms", "http_p99_ms", "http_baseline_per_s", "http_ratio"]


@pytest.mark.slow
def test_the_http_benchmark_measures_every_figure(tmp_path: Path) -> None:
    summary = bench_http(tmp_path, n=40, rounds=1, concurrency=4, say=lambda _: None)
    for figure in FIGURES:
        assert isinstance(summary[figure], float) and summary[figure] > 0, figure
    assert summary["http_p50_ms"] <= summary["http_p99_ms"]


def test_the_load_generator_counts_refusals_as_failures() -> None:
    # Nothing listens on port 9 of loopback: the request fails, and the run says so.
    result = run_load("http://127.0.0.1:9", "/x", [b"{}"], 1)
    assert result["failed"] == 1 and "ConnectionRefusedError" in str(result["failures"])
