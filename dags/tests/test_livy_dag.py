"""livy_spark_pi with dag.test(): the real LivyOperator, hook and trigger against the real Livy.

Livy is Apache Livy 0.9.0, the platform's version, running on this machine in local mode
with the real Spark 3.5 (tests/support/livy_server.py): batches run with spark-submit on
local Spark instead of as driver pods, and their state follows the driver's exit status
as on Kubernetes. Stand-in, only where the real thing cannot run here: S3 is moto's
server on loopback, reached through S3Hook and through s3a with the Livy image's jars.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime

import pytest
from airflow.utils.state import DagRunState, TaskInstanceState

from airspark.platform import spark_submit_placement_conf
from tests.conftest import JOBS
from tests.support.livy_server import LivyServer, LivyUnavailableError

# Every param given: dag.test() runs in this one process, where a run's conf is written into the
# DAG's Param objects (ParamsDict.update sets Param.value), so a param left out would keep the
# value an earlier test's run gave it instead of its default.
RUN = {"partitions": 2, "samples_per_partition": 20_000, "spark_conf": {}, "write_result": True}


@pytest.fixture(scope="module")
def livy(local_s3):
    from tests.support.jars import ensure_jars, livy_image_jars

    server = LivyServer(spark_conf=local_s3.s3a_conf(), jars=ensure_jars(jars=livy_image_jars()))
    try:
        server.start()
    except LivyUnavailableError as err:
        server.stop()
        pytest.fail(str(err), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def livy_world(monkeypatch, airflow_db, bundle_dags, local_s3, livy, request):
    bucket = f"livy-{request.node.name.replace('_', '-')[:40].strip('-')}"
    local_s3.client().create_bucket(Bucket=bucket)
    dag = bundle_dags["livy_spark_pi"]
    # The DAG polls every 30 s; two keep the test short without changing the path.
    monkeypatch.setattr(dag.get_task("submit_batch"), "_polling_interval", 2)
    for task in dag.tasks:
        monkeypatch.setattr(task, "retries", 0)
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", local_s3.aws_connection())
    monkeypatch.setenv("AIRFLOW_CONN_LIVY_DEFAULT", livy.connection())
    monkeypatch.setenv("AIRFLOW_VAR_AIRSPARK_DATA_BUCKET", bucket)
    return dag, bucket


def states(dag_run) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in dag_run.get_task_instances()}


def new_batches(livy: LivyServer, before: list[dict]) -> list[dict]:
    known = {b["id"] for b in before}
    return [b for b in livy.batches() if b["id"] not in known]


def results(local_s3, bucket: str) -> list[str]:
    return [k for k in local_s3.keys(bucket, "airspark/livy-spark-pi/") if k.endswith(".json")]


def test_the_batch_runs_on_the_real_livy_with_spark_35_and_this_attempts_result_is_verified(livy_world, livy, local_s3):
    dag, bucket = livy_world
    before = livy.batches()

    dag_run = dag.test(run_conf=RUN)

    assert states(dag_run) == dict.fromkeys(["stage_job", "submit_batch", "verify_result"], TaskInstanceState.SUCCESS)
    assert dag_run.state == DagRunState.SUCCESS
    (batch,) = new_batches(livy, before)
    assert batch["state"] == "success"
    assert batch["name"].startswith("spark-pi-manual_")
    assert re.search(r"-try1-[0-9a-f]{8}$", batch["name"])
    job_hash = hashlib.sha256((JOBS / "spark_pi.py").read_bytes()).hexdigest()[:16]
    assert local_s3.keys(bucket, "airspark/livy-jobs/") == [f"airspark/livy-jobs/{job_hash}/spark_pi.py"]
    (result_key,) = results(local_s3, bucket)
    assert result_key.startswith("airspark/livy-spark-pi/manual_")
    assert "/try-1/" in result_key, "the output is keyed to the attempt"
    assert ":" not in result_key
    assert "+" not in result_key
    result = json.loads(local_s3.read(bucket, result_key))
    assert result["samples"] == 40_000
    assert abs(result["pi"] - 3.14159) < 0.1
    submit = dag.get_task("submit_batch")
    assert submit.spark_params["conf"] == spark_submit_placement_conf()
    assert submit.spark_params["driver_memory"] == "1g"


def test_a_job_that_fails_makes_livy_report_dead_and_the_task_fail(livy_world, livy, local_s3):
    dag, bucket = livy_world
    before = livy.batches()

    # A real job failure through the run's own Spark properties (param spark_conf): Spark
    # refuses an event-log folder that does not exist while the job creates its session.
    failing = {"spark.eventLog.enabled": "true", "spark.eventLog.dir": "file:/nonexistent/airspark-livy-test"}
    dag_run = dag.test(run_conf={**RUN, "spark_conf": failing})

    assert [b["state"] for b in new_batches(livy, before)] == ["dead"]
    assert states(dag_run) == {
        "stage_job": TaskInstanceState.SUCCESS,
        "submit_batch": TaskInstanceState.FAILED,
        "verify_result": TaskInstanceState.UPSTREAM_FAILED,
    }
    assert results(local_s3, bucket) == []


def test_a_rerun_whose_job_exits_0_without_output_fails_verification_despite_the_earlier_attempts_output(
    livy_world, livy, local_s3
):
    dag, bucket = livy_world
    logical_date = datetime(2026, 12, 1, tzinfo=UTC)
    first = dag.test(run_after=logical_date, logical_date=logical_date, run_conf=RUN)
    assert first.state == DagRunState.SUCCESS
    earlier = results(local_s3, bucket)
    assert len(earlier) == 1

    # Rerun the same run with a job that succeeds without writing (param write_result:
    # --output is empty): Livy reports success, as it does for any driver exiting 0.
    before = livy.batches()

    rerun = dag.test(run_after=logical_date, logical_date=logical_date, run_conf={**RUN, "write_result": False})

    assert rerun.run_id == first.run_id
    assert [b["state"] for b in new_batches(livy, before)] == ["success"]
    assert states(rerun) == {
        "stage_job": TaskInstanceState.SUCCESS,
        "submit_batch": TaskInstanceState.SUCCESS,
        "verify_result": TaskInstanceState.FAILED,
    }
    assert rerun.state == DagRunState.FAILED
    # dag.test() re-creates the run (try numbers start again at 1, the same folder): the
    # earlier attempt's result was removed before the batch, not taken for this one's.
    assert results(local_s3, bucket) == []


def test_without_the_csrf_header_livy_refuses_the_batch(livy_world, livy, monkeypatch):
    dag, _ = livy_world
    monkeypatch.setattr(dag.get_task("submit_batch"), "_extra_headers", {})
    before = livy.batches()

    dag_run = dag.test(run_conf=RUN)

    assert new_batches(livy, before) == []
    assert states(dag_run)["submit_batch"] == TaskInstanceState.FAILED
