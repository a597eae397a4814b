"""`python -m ops.bench`: ingest, verify and proof benchmarks; the last line is one JSON object."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from ops.bench.report import json_line, table
from ops.bench.run import config, run, stderr_progress


def main(argv: list[str] | None = None) -> int:
    """Parse options, run the benchmarks in a temporary directory, print the table and JSON."""
    parser = argparse.ArgumentParser(prog="python -m ops.bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (CI smoke, < 60 s)")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    parser.add_argument("--ingest-n", type=int, help="statements for single-statement ingest")
    parser.add_argument("--bulk-n", type=int, help="statements for bulk ingest (and verify)")
    parser.add_argument("--proof-leaves", type=int, help="leaves of the proof benchmark's tree")
    parser.add_argument("--proof-count", type=int, help="inclusion proofs timed")
    parser.add_argument("--rounds", type=int, help="interleaved rounds of the ingest figures")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dirs")
    args = parser.parse_args(argv)
    cfg = config(
        args.quick,
        ingest_n=args.ingest_n,
        bulk_n=args.bulk_n,
        proof_leaves=args.proof_leaves,
        proof_count=args.proof_count,
        rounds=args.rounds,
    )
    root = Path(tempfile.mkdtemp(prefix="canbo-bench-"))
    try:
        summary, phases = run(cfg, root, None if args.json_only else stderr_progress)
    finally:
        if args.keep:
            print(f"[bench] kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    if not args.json_only:
        print(table(summary, phases))
    print(json_line(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
