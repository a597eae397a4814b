"""The benchmark run: sizes, the order of measurements, and the summary of their medians."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ops.bench.ingest import bench_bulk, bench_ingest, median
from ops.bench.phases import ingest_phases
from ops.bench.proofs import bench_proofs
from ops.bench.verify import ed25519_verify_rate, run_verifier, verifier_available

MIB = 1024 * 1024
VERIFY_KEYS = ("verify_per_s", "ed25519_verify_per_s", "verify_ratio", "verify_peak_rss_mib")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Config:
    """Sizes of one run."""

    ingest_n: int = 7_000
    bulk_n: int = 100_000
    proof_leaves: int = 1_000_000
    proof_count: int = 2_000
    rounds: int = 7
    verify_rounds: int = 3
    phase_n: int = 1_000
    ed25519_seconds: float = 1.0
    quick: bool = False


FULL = Config()
QUICK = Config(
    ingest_n=600,
    bulk_n=3_000,
    proof_leaves=100_000,
    proof_count=1_000,
    rounds=3,
    verify_rounds=2,
    phase_n=200,
    ed25519_seconds=0.5,
    quick=True,
)


def config(quick: bool, **sizes: int | None) -> Config:
    """FULL or QUICK with any given sizes overriding."""
    base = QUICK if quick else FULL
    given: dict[str, Any] = {k: v for k, v in sizes.items() if v is not None}
    return replace(base, **given)


def run(
    cfg: Config, root: Path, progress: Progress | None = None
) -> tuple[dict[str, Any], dict[str, dict[str, float]]]:
    """Run every benchmark under root; return the summary (JSON) and the ingest phase table."""
    say = progress or (lambda _: None)
    notes: list[str] = []
    summary: dict[str, Any] = {"quick": cfg.quick}
    started = time.perf_counter()

    say(
        f"ingest: {cfg.ingest_n} statements, one per submit, {cfg.rounds} rounds interleaved "
        "with plain eventsourcing saves"
    )
    ingest = bench_ingest(root, cfg.ingest_n, cfg.rounds)
    summary["ingest_per_s"] = median(ingest.ingest_rates)
    summary["raw_eventsourcing_per_s"] = median(ingest.raw_rates)
    summary["ingest_ratio"] = median(ingest.ratios)
    summary["ingest_rounds_per_s"] = _rounded(ingest.ingest_rates)
    summary["raw_eventsourcing_rounds_per_s"] = _rounded(ingest.raw_rates)
    notes.append(
        "ingest: notice.publish statements pre-signed before timing (officials sign on their own "
        "machines); timed: Ledger.submit([s]) = verify signature and authority, save, sequence, "
        "sign checkpoint, build receipt with inclusion proof; SQLite in a fresh data dir"
    )
    notes.append(
        f"plain eventsourcing: one trivial aggregate per Application.save, stored state "
        f"{ingest.raw_state_bytes} B vs {ingest.ingest_state_bytes} B for a notice event, "
        "PERSISTENCE_MODULE=eventsourcing.sqlite in a fresh file; the two alternate every 50 "
        f"saves; figures are medians of {cfg.rounds} rounds, the ratio the median of the "
        "rounds' ratios"
    )

    say(f"bulk ingest: {cfg.bulk_n} statements, 100 per submit")
    bulk = bench_bulk(root, cfg.bulk_n, cfg.rounds)
    summary["bulk_ingest_per_s"] = median(bulk.rates)
    summary["bulk_rounds_per_s"] = _rounded(bulk.rates)
    notes.append(
        f"bulk ingest: {bulk.statements} pre-signed notice.publish statements, 100 per "
        f"Ledger.submit (receipts included), in a second fresh data dir; median of {cfg.rounds} "
        "rounds"
    )

    try:
        _bench_verify(cfg, bulk.data_dir, root / "ingest", summary, notes, say)
    except (RuntimeError, OSError) as exc:
        # The other figures still stand; the JSON says why these are missing.
        for key in VERIFY_KEYS:
            summary[key] = None
        notes.append(f"verify FAILED, not measured: {exc}")

    say(f"inclusion proofs: tree of {cfg.proof_leaves} leaves, {cfg.proof_count} proofs")
    proofs = bench_proofs(root / "proofs.sqlite3", cfg.proof_leaves, cfg.proof_count)
    summary["inclusion_proof_ms_p50"] = proofs.percentile_ms(50)
    summary["inclusion_proof_ms_p99"] = proofs.percentile_ms(99)
    summary["inclusion_proof_ms_max"] = proofs.percentile_ms(100)
    notes.append(
        f"inclusion proofs: {cfg.proof_count} random indexes in a tree of {cfg.proof_leaves:,} "
        "random leaf hashes (written to a fresh SQLite file by the sequencer's ConnectionTx.write "
        "in batches of 65,536; root checked against RFC 6962), LogStore.inclusion_proof(i, size) "
        "after 500 untimed proofs fill its tile cache; "
        f"{proofs.verified} of them checked with merkle.verify_inclusion"
    )

    say("ingest phases (timers around the ledger's parts)")
    phases = {
        "1 per submit": ingest_phases(root, cfg.phase_n, batch=1),
        # Batches are cheaper per statement: three times as many keep the timers' noise down.
        "100 per submit": ingest_phases(root, 300 * max(1, cfg.phase_n // 100), batch=100),
    }
    summary["ingest_phases_us"] = {
        k: {p: round(v, 1) for p, v in c.items()} for k, c in phases.items()
    }

    summary.update(
        ingest_n=cfg.rounds * max(1, cfg.ingest_n // cfg.rounds),
        bulk_n=bulk.statements,
        proof_leaves=cfg.proof_leaves,
        proof_count=cfg.proof_count,
        rounds=cfg.rounds,
        cpus=os.cpu_count(),
        seconds=round(time.perf_counter() - started, 1),
    )
    if cfg.quick:
        notes.append(
            f"QUICK run: reduced sizes (ingest {cfg.ingest_n}, bulk {cfg.bulk_n}, proofs at "
            f"{cfg.proof_leaves:,} leaves instead of 1,000,000): smoke figures, not the targets'"
        )
    summary["notes"] = notes
    return summary, phases


def _bench_verify(
    cfg: Config,
    data_dir: Path,
    small_dir: Path,
    summary: dict[str, Any],
    notes: list[str],
    say: Progress,
) -> None:
    if not verifier_available():
        for key in VERIFY_KEYS:
            summary[key] = None
        notes.append("verify: ledger.verify.verify_log is not available yet; not measured")
        return
    rates, bare, ratios, runs = [], [], [], []
    for i in range(cfg.verify_rounds):
        say(f"verify round {i + 1}/{cfg.verify_rounds}: bare Ed25519, then canbo verify")
        bare.append(ed25519_verify_rate(cfg.ed25519_seconds))
        runs.append(run_verifier(data_dir))
        rates.append(runs[-1].rate)
        ratios.append(rates[-1] / bare[-1])
    small = run_verifier(small_dir)
    summary["verify_per_s"] = median(rates)
    summary["ed25519_verify_per_s"] = median(bare)
    summary["verify_ratio"] = median(ratios)
    summary["verify_peak_rss_mib"] = max(r.peak_rss for r in runs) / MIB
    summary["verify_peak_pss_mib"] = max(r.peak_pss for r in runs) / MIB
    summary["verify_max_process_rss_mib"] = max(r.max_process_rss for r in runs) / MIB
    summary["verify_cpu_main_s"] = median([r.main_cpu for r in runs])
    summary["verify_cpu_workers_s"] = median([r.other_cpu for r in runs])
    summary["verify_wall_s"] = median([r.seconds for r in runs])
    # CPU per leaf does not depend on how busy the shared machine was; the rate does.
    summary["verify_cpu_us_per_leaf"] = median(
        [1e6 * (r.main_cpu + r.other_cpu) / r.leaves for r in runs]
    )
    summary["verify_leaves"] = runs[0].leaves
    summary["verify_small_leaves"] = small.leaves
    summary["verify_small_peak_rss_mib"] = small.peak_rss / MIB
    notes.append(
        f"verify: ledger.verify.verify_log on the bulk log's data dir ({runs[0].leaves} leaves) in "
        "a child process, timed inside the child around the call (pool start-up included); "
        f"medians of {cfg.verify_rounds} rounds, each after a {cfg.ed25519_seconds:g} s bare "
        "ED25519.verify loop; CPU seconds from /proc (medians): main "
        f"{summary['verify_cpu_main_s']:.1f} s, descendants {summary['verify_cpu_workers_s']:.1f} "
        f"s, over {summary['verify_wall_s']:.1f} s inside verify_log on {os.cpu_count()} CPUs: "
        f"{summary['verify_cpu_us_per_leaf']:.0f} us of CPU per leaf, against "
        f"{1e6 / summary['ed25519_verify_per_s']:.0f} us for the bare Ed25519 verify"
    )
    notes.append(
        "verify RSS: each process's own peak RSS (VmHWM) summed over the child and all its "
        f"descendants (forkserver, resource tracker, pool workers; at most "
        f"{max(r.processes for r in runs)} at once), read from /proc every 20 ms: an upper bound, "
        "as it counts shared pages in every process and adds peaks that may not coincide; "
        f"largest one process {summary['verify_max_process_rss_mib']:.1f} MiB; sampled sum of "
        f"PSS {summary['verify_peak_pss_mib']:.1f} MiB; on the {small.leaves}-leaf ingest log "
        f"{summary['verify_small_peak_rss_mib']:.1f} MiB"
    )


def _rounded(values: list[float]) -> list[float]:
    return [round(v, 1) for v in values]


def stderr_progress(message: str) -> None:
    """Progress lines on stderr, so stdout ends with the JSON."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)
