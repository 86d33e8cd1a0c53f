"""Run one DAG of this bundle with Airflow's ``dag.test()`` and print the outcome as JSON.

    python -m tools.run_dag <dag_id> [--conf JSON] [--retries N] [--logical-date ISO]

What ``pnpm e2e`` uses to drive the DAGs on the host against a cluster (Airflow cannot be
installed into the local cluster: its chart cannot be obtained). The operators are the
DAG's own, unmodified; ``dag.test()`` runs deferred tasks' triggers in process, so no
triggerer is needed. Connections and Variables come from the environment
(``AIRFLOW_CONN_*``, ``AIRFLOW_VAR_*``). ``--retries`` overrides every task's retries (the
e2e asks for one attempt, so a failure shows at once instead of after ``retry_delay``).
``--logical-date`` runs the DAG at that date (also its ``run_after``, so the run id is
``manual__<date>``): a second call with the same date re-creates the same run, the way a
rerun of one run happens (``dag.test()`` replaces the earlier run; try numbers start at 1).
Without it, each call is a new run at the current time.
The last line of stdout is ``{"dag_id", "run_id", "state", "tasks": {task_id: state}}``;
the exit code is 0 whatever the run's state (the caller judges it), 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dag_id")
    parser.add_argument("--conf", default="{}", help="the run's conf, a JSON object")
    parser.add_argument("--retries", type=int, default=None, help="override every task's retries")
    parser.add_argument(
        "--logical-date",
        type=_aware_datetime,
        default=None,
        help="ISO 8601 date-time with a UTC offset (e.g. 2026-12-01T00:00:00+00:00): the same date reruns the same run",
    )
    args = parser.parse_args(argv)
    try:
        conf = json.loads(args.conf)
    except ValueError as err:
        parser.error(f"--conf is not JSON: {err}")

    from pathlib import Path

    from airflow.dag_processing.dagbag import BundleDagBag

    bundle = Path(__file__).resolve().parent.parent
    bag = BundleDagBag(dag_folder=bundle, bundle_path=bundle)
    if args.dag_id not in bag.dags:
        parser.error(f"no DAG {args.dag_id}; import errors: {bag.import_errors or 'none'}")
    dag = bag.dags[args.dag_id]
    if args.retries is not None:
        for task in dag.tasks:
            task.retries = args.retries
    if args.logical_date is None:
        run = dag.test(run_conf=conf)
    else:
        # run_after too: dag.test() names the run after run_after, not the logical date.
        run = dag.test(run_conf=conf, logical_date=args.logical_date, run_after=args.logical_date)
    tasks = {
        ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]": str(ti.state)
        for ti in run.get_task_instances()
    }
    print(json.dumps({"dag_id": args.dag_id, "run_id": run.run_id, "state": str(run.state), "tasks": tasks}))
    return 0


def _aware_datetime(text: str):
    from datetime import datetime

    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no UTC offset (add +00:00 or Z)")
    return value


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
