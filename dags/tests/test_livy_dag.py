"""livy_spark_pi with dag.test(): the real LivyOperator, hook and trigger over HTTP.

Stand-ins, each only where the real thing cannot run on the test machine:
- Livy on Kubernetes: a fake Livy server on loopback that runs each batch with
  spark-submit on local Spark and, like Livy, reports the driver's exit status only
  (tests/support/fake_livy.py);
- S3: moto's server on loopback, through S3Hook and s3a.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from airflow.utils.state import DagRunState, TaskInstanceState

from airspark.platform import spark_submit_placement_conf
from tests.conftest import JOBS
from tests.support.fake_livy import FakeLivy

RUN = {"partitions": 2, "samples_per_partition": 20_000}


@pytest.fixture
def livy_world(monkeypatch, airflow_db, bundle_dags, local_s3, s3a_jars, request):
    bucket = f"livy-{request.node.name.replace('_', '-')[:40].strip('-')}"
    local_s3.client().create_bucket(Bucket=bucket)
    dag = bundle_dags["livy_spark_pi"]
    # The DAG polls every 30 s; a second keeps the test short without changing the path.
    monkeypatch.setattr(dag.get_task("submit_batch"), "_polling_interval", 1)
    for task in dag.tasks:
        monkeypatch.setattr(task, "retries", 0)
    with FakeLivy(conf=local_s3.s3a_conf(), jars=s3a_jars) as livy:
        monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", local_s3.aws_connection())
        monkeypatch.setenv("AIRFLOW_CONN_LIVY_DEFAULT", livy.connection())
        monkeypatch.setenv("AIRFLOW_VAR_AIRSPARK_DATA_BUCKET", bucket)
        yield dag, bucket, livy


def states(dag_run) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in dag_run.get_task_instances()}


def test_the_batch_runs_on_local_spark_behind_a_fake_livy_and_its_result_is_verified(livy_world, local_s3):
    dag, bucket, livy = livy_world

    dag_run = dag.test(run_conf=RUN)

    assert states(dag_run) == dict.fromkeys(["stage_job", "submit_batch", "verify_result"], TaskInstanceState.SUCCESS)
    assert dag_run.state == DagRunState.SUCCESS
    (batch,) = livy.batches
    job_hash = hashlib.sha256((JOBS / "spark_pi.py").read_bytes()).hexdigest()[:16]
    assert batch.request["file"] == f"s3a://{bucket}/airspark/livy-jobs/{job_hash}/spark_pi.py"
    output = batch.request["args"][-1]
    assert output.startswith(f"s3a://{bucket}/airspark/livy-spark-pi/manual_")
    assert ":" not in output.removeprefix("s3a:"), "run ids must be made safe for s3a"
    assert "+" not in output
    assert batch.request["args"][:-1] == ["--partitions", "2", "--samples-per-partition", "20000", "--output"]
    assert batch.request["conf"] == spark_submit_placement_conf()
    assert batch.request["driverMemory"] == "1g"
    assert batch.request["numExecutors"] == 2
    assert batch.request["name"].startswith("spark-pi-manual_")
    assert batch.request["name"].endswith("-try1")
    key_prefix = output.removeprefix(f"s3a://{bucket}/")
    (result_key,) = [k for k in local_s3.keys(bucket, key_prefix) if k.endswith(".json")]
    result = json.loads(local_s3.read(bucket, result_key))
    assert result["samples"] == 40_000
    assert abs(result["pi"] - 3.14159) < 0.1


def test_a_driver_that_fails_makes_livy_report_dead_and_the_task_fail(livy_world, local_s3):
    dag, bucket, livy = livy_world
    # The driver cannot fetch its file: a real spark-submit failure, non-zero exit.
    livy.before_run = lambda batch: local_s3.client().delete_object(
        Bucket=bucket, Key=batch.request["file"].removeprefix(f"s3a://{bucket}/")
    )

    dag_run = dag.test(run_conf=RUN)

    assert [b.state for b in livy.batches] == ["dead"]
    assert states(dag_run) == {
        "stage_job": TaskInstanceState.SUCCESS,
        "submit_batch": TaskInstanceState.FAILED,
        "verify_result": TaskInstanceState.UPSTREAM_FAILED,
    }


def test_livy_reporting_success_without_a_result_fails_verification(livy_world, local_s3):
    dag, _bucket, livy = livy_world
    # Livy on Kubernetes counts any driver exiting 0 as success (incubator-livy #455):
    # the fake reports success without running Spark, so nothing is written.
    livy.fake_outcome = "success"

    dag_run = dag.test(run_conf=RUN)

    assert states(dag_run) == {
        "stage_job": TaskInstanceState.SUCCESS,
        "submit_batch": TaskInstanceState.SUCCESS,
        "verify_result": TaskInstanceState.FAILED,
    }
    assert dag_run.state == DagRunState.FAILED


def test_without_the_csrf_header_livy_refuses_the_batch(livy_world, monkeypatch):
    dag, _, livy = livy_world
    monkeypatch.setattr(dag.get_task("submit_batch"), "_extra_headers", {})

    dag_run = dag.test(run_conf=RUN)

    assert livy.batches == []
    assert states(dag_run)["submit_batch"] == TaskInstanceState.FAILED
