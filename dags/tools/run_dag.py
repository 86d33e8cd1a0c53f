"""Run one DAG of this bundle with Airflow's ``dag.test()`` and print the outcome as JSON.

    python -m tools.run_dag <dag_id> [--conf JSON] [--retries N]

What ``pnpm e2e`` uses to drive the DAGs on the host against a cluster (Airflow cannot be
installed into the local cluster: its chart cannot be obtained). The operators are the
DAG's own, unmodified; ``dag.test()`` runs deferred tasks' triggers in process, so no
triggerer is needed. Connections and Variables come from the environment
(``AIRFLOW_CONN_*``, ``AIRFLOW_VAR_*``). ``--retries`` overrides every task's retries (the
e2e asks for one attempt, so a failure shows at once instead of after ``retry_delay``).
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
    run = dag.test(run_conf=conf)
    tasks = {
        ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]": str(ti.state)
        for ti in run.get_task_instances()
    }
    print(json.dumps({"dag_id": args.dag_id, "run_id": run.run_id, "state": str(run.state), "tasks": tasks}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
