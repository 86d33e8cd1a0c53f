"""pyspark_pi with dag.test(): the operator's own SparkApplication, run on local Spark.

Stand-in, only where the real thing cannot run on the test machine: the Spark Operator
on Kubernetes, replaced by spark-submit of the application the operator builds
(tests/support/local_spark_operator.py).
"""

from __future__ import annotations

import pytest
from airflow.utils.state import DagRunState, TaskInstanceState

from airspark.platform import DRIVER_ANNOTATIONS, DRIVER_NODE_SELECTOR, EXECUTOR_NODE_SELECTOR
from tests.conftest import JOBS
from tests.support.local_spark_operator import LocalSparkOperator

JOB_IMAGE = "registry.invalid/airspark-spark-jobs:0.0.0-test"


@pytest.fixture
def pyspark_pi(bundle_dags, airflow_db, monkeypatch, tmp_path):
    dag = bundle_dags["pyspark_pi"]
    monkeypatch.setattr(dag.get_task("estimate_pi"), "retries", 0)
    monkeypatch.setenv("AIRFLOW_VAR_SPARK_EVENT_LOG_BUCKET", "events-bucket")
    # Local Spark has no s3a here: the event log goes to a local folder in place of the bucket.
    events = tmp_path / "spark-events"
    events.mkdir()
    stand_in = LocalSparkOperator(jobs_dir=JOBS, conf={"spark.eventLog.dir": events.as_uri()}, jars=[])
    with stand_in.installed():
        yield dag, stand_in, events


def test_pi_runs_as_the_spark_application_the_operator_builds_on_local_spark_in_place_of_the_spark_operator(
    pyspark_pi, monkeypatch
):
    dag, stand_in, events = pyspark_pi
    monkeypatch.setenv("AIRFLOW_VAR_SPARK_JOB_IMAGE", JOB_IMAGE)

    dag_run = dag.test(run_conf={"partitions": 3})

    assert dag_run.state == DagRunState.SUCCESS
    (application,) = stand_in.applications
    assert application["apiVersion"] == "sparkoperator.k8s.io/v1beta2"
    assert application["metadata"]["namespace"] == "spark-team-a"
    assert application["metadata"]["name"].startswith("pyspark-pi-")
    spec = application["spec"]
    assert spec["image"] == JOB_IMAGE
    assert spec["arguments"] == ["--partitions", "3"]
    assert spec["restartPolicy"] == {"type": "Never"}
    assert spec["driver"]["nodeSelector"] == DRIVER_NODE_SELECTOR
    assert spec["driver"]["annotations"] == DRIVER_ANNOTATIONS
    assert spec["driver"]["serviceAccount"] == "spark"
    assert spec["executor"]["nodeSelector"] == EXECUTOR_NODE_SELECTOR
    (run,) = stand_in.runs
    assert run.returncode == 0
    assert "Pi is roughly 3.1" in run.stdout
    assert spec["sparkConf"]["spark.eventLog.dir"] == "s3a://events-bucket/team-a/"
    assert spec["sparkConf"]["spark.decommission.enabled"] == "true"
    # Spark 4 writes rolling event logs: one eventlog_v2_<app id> folder per application.
    assert [log.name for log in events.iterdir() if log.name.startswith("eventlog_v2_local-")], "no event log"


def test_without_the_job_image_variable_nothing_is_submitted_and_the_task_fails(pyspark_pi, monkeypatch):
    dag, stand_in, _ = pyspark_pi
    monkeypatch.delenv("AIRFLOW_VAR_SPARK_JOB_IMAGE", raising=False)

    dag_run = dag.test(run_conf={"partitions": 3})

    assert dag_run.state == DagRunState.FAILED
    assert {ti.task_id: ti.state for ti in dag_run.get_task_instances()} == {"estimate_pi": TaskInstanceState.FAILED}
    assert stand_in.applications == []
