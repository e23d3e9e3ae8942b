"""Run every benchmark in turn: .venv/bin/python bench/run_all.py"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = [
    "bench.bench_ward_load",
    "bench.bench_ward_assign",
    "bench.bench_request_import",
    "bench.bench_survey_load",
    "bench.bench_clusters",
    "bench.bench_hotspots",
    "bench.bench_live_clusters",
    "bench.bench_tiles",
]


def main() -> int:
    """Run each benchmark module as its own process; fail if any fails."""
    failed = 0
    for module in BENCHMARKS:
        print(f"== {module}", flush=True)
        failed += (
            subprocess.run([sys.executable, "-m", module], cwd=ROOT, check=False).returncode != 0
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
