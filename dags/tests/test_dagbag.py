"""Every DAG imports in a real Airflow DagBag, with the structure each one promises."""

from __future__ import annotations

import shutil
import textwrap
from datetime import UTC, timedelta

import pytest
import yaml
from airflow.providers.apache.livy.operators.livy import LivyOperator
from airflow.sdk import CronDataIntervalTimetable
from airflow.sdk.definitions.taskgroup import MappedTaskGroup
from airflow.sdk.definitions.timetables.simple import NullTimetable

from airspark.platform import SPARK_NAMESPACE, spark_submit_placement_conf
from airspark.sensors import UrlPublishedSensor
from airspark.spark_operator import SparkApplicationOperator
from tests.conftest import BUNDLE
from tests.support.parse_guard import parse_bundle

DAG_FILES = {"citibike_ridership.py", "livy_spark_pi.py", "pyspark_pi.py"}


@pytest.fixture(scope="module")
def parsed():
    return parse_bundle(BUNDLE)


@pytest.fixture(scope="module")
def dagbag(parsed):
    return parsed[0]


def upstream(dag) -> dict[str, set[str]]:
    return {task.task_id: set(task.upstream_task_ids) for task in dag.tasks}


def test_every_dag_file_imports_without_errors_or_warnings(dagbag):
    assert dagbag.import_errors == {}
    assert dagbag.captured_warnings == {}
    assert set(dagbag.dag_ids) == {"citibike_ridership", "livy_spark_pi", "pyspark_pi"}


def test_only_the_dag_files_are_parsed_the_rest_is_airflowignored(dagbag):
    assert {stat.file for stat in dagbag.dagbag_stats} == DAG_FILES


def test_parsing_does_no_network_variable_or_connection_io(parsed):
    _, attempts = parsed
    assert attempts == []


@pytest.mark.parametrize("dag_id", ["citibike_ridership", "livy_spark_pi", "pyspark_pi"])
def test_policy_every_dag_is_owned_tagged_documented_and_retried(dagbag, dag_id):
    dag = dagbag.dags[dag_id]
    assert dag.tags, "tags let people find a DAG in the UI"
    assert dag.doc_md
    assert dag_id in dag.doc_md
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert dag.start_date.tzinfo is not None
    assert dag.start_date.utcoffset() == timedelta(0)
    for task in dag.tasks:
        assert task.owner == "data-platform", task.task_id
        assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retry"


def test_pyspark_pi_submits_the_template_to_the_spark_team_namespace(dagbag):
    dag = dagbag.dags["pyspark_pi"]
    assert isinstance(dag.timetable, NullTimetable)  # schedule=None: a smoke test run on demand
    assert set(dag.tags) == {"spark", "spark-operator", "smoke-test"}
    assert upstream(dag) == {"estimate_pi": set()}
    task = dag.get_task("estimate_pi")
    assert isinstance(task, SparkApplicationOperator)
    assert task.deferrable is True, "the driver is watched from the triggerer, not a worker slot"
    assert task.namespace == SPARK_NAMESPACE
    # Airflow reads template files when it loads the DAG: the path resolved in the bundle.
    assert task.application_file == (BUNDLE / "spark_apps" / "pyspark-pi.yaml").read_text()
    assert task.kubernetes_conn_id == "kubernetes_default"
    assert task.get_logs is True
    assert task.delete_on_termination is True
    assert task.execution_timeout == timedelta(minutes=30)
    assert dag.params["partitions"] == 10


def test_livy_spark_pi_polls_deferred_and_verifies_the_result_after_the_batch(dagbag):
    dag = dagbag.dags["livy_spark_pi"]
    assert isinstance(dag.timetable, NullTimetable)
    assert set(dag.tags) == {"spark", "livy", "smoke-test"}
    assert upstream(dag) == {
        "stage_job": set(),
        "submit_batch": {"stage_job"},
        "verify_result": {"stage_job", "submit_batch"},
    }
    submit = dag.get_task("submit_batch")
    assert isinstance(submit, LivyOperator)
    assert submit._polling_interval > 0, "polling_interval 0 makes the operator fire and forget"
    assert submit.deferrable is True
    assert submit._livy_conn_id == "livy_default"
    assert submit._extra_headers == {"X-Requested-By": "airflow"}
    assert submit.spark_params["conf"] == spark_submit_placement_conf()
    assert submit.spark_params["driver_memory"] == "1g"  # Livy wants ^\d+[kmgt]b?$, not 1Gi
    assert submit.execution_timeout == timedelta(hours=1)


def test_livy_batches_are_placed_like_the_spark_operator_templates():
    template = yaml.safe_load((BUNDLE / "spark_apps" / "pyspark-pi.yaml").read_text())["spec"]
    conf = spark_submit_placement_conf()
    assert conf["spark.kubernetes.namespace"] == SPARK_NAMESPACE
    # The ServiceAccount is Livy's to set (its spark-blacklist.conf refuses a batch that names one).
    assert not any(key.startswith("spark.kubernetes.authenticate.") for key in conf)
    for key, value in template["driver"]["nodeSelector"].items():
        assert conf[f"spark.kubernetes.driver.node.selector.{key}"] == value
    for key, value in template["executor"]["nodeSelector"].items():
        assert conf[f"spark.kubernetes.executor.node.selector.{key}"] == value
    for key, value in template["driver"]["annotations"].items():
        assert conf[f"spark.kubernetes.driver.annotation.{key}"] == value


def test_citibike_ridership_is_monthly_and_chains_download_spark_and_checks_per_month_in_parallel(dagbag):
    dag = dagbag.dags["citibike_ridership"]
    assert dag.timetable == CronDataIntervalTimetable("0 0 1 * *", timezone="UTC")
    assert set(dag.tags) == {"citibike", "spark", "spark-operator"}
    assert dag.start_date.tzinfo == UTC or dag.start_date.utcoffset() == timedelta(0)
    assert upstream(dag) == {
        "plan_months": set(),
        "month.wait_for_archive": {"plan_months"},
        "month.stage_csv": {"plan_months", "month.wait_for_archive"},
        "month.csv_to_parquet": {"month.stage_csv"},
        "month.monthly_reports": {"month.csv_to_parquet"},
        "month.verify_reports": {"plan_months", "month.monthly_reports"},
    }
    # One mapped group instance per month of the run, expanded from plan_months' list.
    group = dag.task_group_dict["month"]
    assert isinstance(group, MappedTaskGroup)
    assert dag.max_active_tasks >= 2 * 2, "months of a run must be able to run side by side"
    sensor = dag.get_task("month.wait_for_archive")
    assert isinstance(sensor, UrlPublishedSensor)
    assert sensor.mode == "reschedule", "a poke every 12 hours must not hold a worker slot"
    assert sensor.timeout == timedelta(days=21).total_seconds()
    for task_id, template in (
        ("month.csv_to_parquet", "spark_apps/citibike-csv-to-parquet.yaml"),
        ("month.monthly_reports", "spark_apps/citibike-reports.yaml"),
    ):
        task = dag.get_task(task_id)
        assert isinstance(task, SparkApplicationOperator)
        assert task.deferrable is True, "the driver is watched from the triggerer, not a worker slot"
        assert task.namespace == SPARK_NAMESPACE
        assert task.application_file == (BUNDLE / template).read_text()
        assert task.delete_on_termination is True
        assert task.execution_timeout is not None
    assert set(dag.params) == {"month", "through_month", "bucket"}


def test_a_dag_that_does_io_at_import_is_caught(tmp_path):
    (tmp_path / "reads_a_variable.py").write_text(
        textwrap.dedent(
            """
            from airflow.sdk import Variable, dag
            BUCKET = Variable.get("airspark_data_bucket")
            @dag(schedule=None)
            def reads_a_variable():
                pass
            reads_a_variable()
            """
        )
    )
    (tmp_path / "opens_a_socket.py").write_text(
        textwrap.dedent(
            """
            import socket
            from airflow.sdk import dag
            socket.create_connection(("127.0.0.1", 9), timeout=1)
            @dag(schedule=None)
            def opens_a_socket():
                pass
            opens_a_socket()
            """
        )
    )

    dagbag, attempts = parse_bundle(tmp_path)

    assert set(dagbag.import_errors) == {"reads_a_variable.py", "opens_a_socket.py"}
    assert "Variable.get while parsing DAG files" in dagbag.import_errors["reads_a_variable.py"]
    assert "while parsing DAG files" in dagbag.import_errors["opens_a_socket.py"]
    assert len(attempts) == 2


def test_breaking_a_dags_import_makes_the_dagbag_report_it(tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(BUNDLE, bundle, ignore=shutil.ignore_patterns(".venv*", "tests", "__pycache__", "*.lock"))
    broken = bundle / "pyspark_pi.py"
    broken.write_text(broken.read_text().replace("from airflow.sdk import", "from airflow.sdk.nowhere import"))

    dagbag, _ = parse_bundle(bundle)

    assert set(dagbag.import_errors) == {"pyspark_pi.py"}
    assert "airflow.sdk.nowhere" in dagbag.import_errors["pyspark_pi.py"]
    assert "pyspark_pi" not in dagbag.dag_ids
