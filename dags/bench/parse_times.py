"""Parse time of each DAG file in a real Airflow DagBag, printed as JSON on stdout.

    uv run python bench/parse_times.py [--runs 7] [--cold-runs 3]

warm: the file parsed again in a process that has already imported what the file
      imports. This is what the DAG processor pays on every re-parse, since it imports a
      file's modules before it forks the parsing child ([dag_processor]
      parsing_pre_import_modules, on by default).
cold: the file parsed once in a fresh interpreter that has imported Airflow only, so
      the providers' imports count as well (the first parse after a start).
Each figure is Airflow's own per-file duration (DagBag.dagbag_stats); the median of the
runs is reported. Progress goes to stderr; the exit status is 0 unless parsing fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from contextlib import redirect_stdout
from pathlib import Path

BUNDLE = Path(__file__).resolve().parents[1]
BUDGET_MS = 200


def _airflow_environment(home: str) -> dict[str, str]:
    return {
        "AIRFLOW_HOME": home,
        "AIRFLOW__CORE__DAGS_FOLDER": str(BUNDLE),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "ERROR",
    }


def _parse(path: Path) -> tuple[float, list[str], int]:
    """Parse one file; return Airflow's duration in ms, its DAG ids and task count."""
    from airflow.dag_processing.dagbag import BundleDagBag

    with redirect_stdout(sys.stderr):  # Airflow logs to stdout; stdout is for the JSON
        dagbag = BundleDagBag(dag_folder=path, bundle_path=BUNDLE)
    if dagbag.import_errors:
        raise SystemExit(f"{path.name}: import error:\n{next(iter(dagbag.import_errors.values()))}")
    (stat,) = dagbag.dagbag_stats
    return stat.duration.total_seconds() * 1000, sorted(dagbag.dag_ids), stat.task_num


def _dag_files() -> list[Path]:
    """The files the DAG processor would parse: the DagBag's own walk, .airflowignore applied."""
    from airflow.dag_processing.dagbag import BundleDagBag

    with redirect_stdout(sys.stderr):
        dagbag = BundleDagBag(dag_folder=BUNDLE, bundle_path=BUNDLE)
    return sorted(BUNDLE / stat.file for stat in dagbag.dagbag_stats)


def _cold(path: Path) -> float:
    code = (
        "import sys, json; sys.path.insert(0, sys.argv[1]); "
        "import airflow.dag_processing.dagbag; "
        "from bench.parse_times import _parse; "
        "print(json.dumps(_parse(__import__('pathlib').Path(sys.argv[2]))[0]))"
    )
    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", code, str(BUNDLE), str(path)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{path.name}: cold parse failed:\n{done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description="Parse time of each DAG file in a real DagBag (JSON).")
    parser.add_argument("--runs", type=int, default=7, help="warm parses per file (default 7)")
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh-interpreter parses per file (default 3)")
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="airspark-bench-")
    os.environ.update(_airflow_environment(home))
    files = _dag_files()  # also imports everything the files import: the warm state
    results = []
    for path in files:
        warm = []
        for run in range(args.runs):
            print(f"{path.name}: warm parse {run + 1}/{args.runs}", file=sys.stderr, flush=True)
            duration, dag_ids, tasks = _parse(path)
            warm.append(duration)
        cold = []
        for run in range(args.cold_runs):
            print(f"{path.name}: cold parse {run + 1}/{args.cold_runs}", file=sys.stderr, flush=True)
            cold.append(_cold(path))
        results.append(
            {
                "file": path.relative_to(BUNDLE).as_posix(),
                "dags": dag_ids,
                "tasks": tasks,
                "warm_median_ms": round(statistics.median(warm), 1),
                "warm_runs_ms": [round(v, 1) for v in warm],
                "cold_median_ms": round(statistics.median(cold), 1) if cold else None,
                "cold_runs_ms": [round(v, 1) for v in cold],
            }
        )

    from importlib.metadata import version

    print(
        json.dumps(
            {
                "benchmark": "dag-file-parse-time",
                "method": "Airflow DagBag per-file duration (dagbag_stats), median of runs; see bench/parse_times.py",
                "airflow": version("apache-airflow"),
                "python": platform.python_version(),
                "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
                "budget_ms": BUDGET_MS,
                "files": results,
                # The shape the repository's `pnpm bench` collects: one row per file.
                "results": [
                    {"label": r["file"], "warmMedianMs": r["warm_median_ms"], "coldMedianMs": r["cold_median_ms"]}
                    for r in results
                ],
                "over_budget": [r["file"] for r in results if r["warm_median_ms"] > BUDGET_MS],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
