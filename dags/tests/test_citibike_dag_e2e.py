"""citibike_ridership end to end with dag.test(): real Airflow tasks, real Spark.

Stand-ins, each only where the real thing cannot run on the test machine:
- S3: moto's server on loopback (tests/support/local_s3.py), reached through S3Hook and
  s3a with the image's jars;
- the Citibike site: a loopback HTTP server serving a generated archive;
- the Spark Operator on Kubernetes: spark-submit of the SparkApplication the operator
  builds from the template (tests/support/local_spark_operator.py).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import citibike_csv_to_parquet
import pytest
from airflow.utils.state import DagRunState, TaskInstanceState

from tests.conftest import BUNDLE, JOBS
from tests.support.citibike_sample import MAY_2024, MAY_2024_TRIPS, Trips, archive_bytes, write_csv_parts
from tests.support.citibike_site import CitibikeSite
from tests.support.local_spark_operator import LocalSparkOperator

JOB_IMAGE = "registry.invalid/airspark-spark-jobs:0.0.0-test"


@pytest.fixture(autouse=True)
def no_retries(bundle_dags, monkeypatch):
    """A failing task fails the test at once, with its own error first: the DAG's production retries
    (2, ten minutes apart) would make dag.test() wait out the delay and bury the cause in the log."""
    for task in bundle_dags["citibike_ridership"].tasks:
        monkeypatch.setattr(task, "retries", 0)


@pytest.fixture
def citibike_dag(airflow_db):
    """The DAG parsed afresh: dag.test() renders mapped tasks' fields in place on the DAG's
    task objects (a worker would render a copy in a new process), so a second run in this
    process would otherwise reuse the first run's archive URLs."""
    from tests.support.parse_guard import parse_bundle

    dagbag, _ = parse_bundle(BUNDLE)
    assert dagbag.import_errors == {}
    return dagbag.dags["citibike_ridership"]


@pytest.fixture
def citibike_world(monkeypatch, citibike_dag, local_s3, s3a_jars, request):
    """A bucket of its own, the site stand-in and the Spark Operator stand-in, wired in."""
    bucket = f"citibike-{request.node.name.replace('_', '-')[:40].strip('-')}"
    local_s3.client().create_bucket(Bucket=bucket)
    # The event-log bucket, with the team's prefix present as the platform creates it.
    local_s3.client().create_bucket(Bucket=f"{bucket}-events")
    local_s3.put(f"{bucket}-events", "team-a/", b"")
    spark_operator = LocalSparkOperator(jobs_dir=JOBS, conf=local_s3.s3a_conf(), jars=s3a_jars)
    # A failure must end the test run, not wait out the DAG's 10-minute retry delay.
    for task in citibike_dag.tasks:
        monkeypatch.setattr(task, "retries", 0)
    with CitibikeSite() as site, spark_operator.installed():
        monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", local_s3.aws_connection())
        monkeypatch.setenv("AIRFLOW_VAR_AIRSPARK_DATA_BUCKET", bucket)
        monkeypatch.setenv("AIRFLOW_VAR_CITIBIKE_SOURCE_URL", site.url)
        monkeypatch.setenv("AIRFLOW_VAR_SPARK_JOB_IMAGE", JOB_IMAGE)
        monkeypatch.setenv("AIRFLOW_VAR_SPARK_EVENT_LOG_BUCKET", f"{bucket}-events")
        yield bucket, site, spark_operator


def upload_parquet_month(spark, local_s3, bucket: str, tmp: Path, month: int, sample: list[Trips], tag: str):
    """Put a month converted earlier into the bucket: what a previous run left there."""
    folder = write_csv_parts(tmp / f"csv-{tag}", 2024, month, sample, parts=1)
    root = tmp / f"parquet-{tag}"
    citibike_csv_to_parquet.convert(spark, input_uri=str(folder), output_uri=str(root), year=2024, month=month)
    keys = []
    for file in (root / "year=2024" / f"month={month}").glob("part-*.parquet"):
        key = f"citibike/parquet/year=2024/month={month}/{tag}-{file.name}"
        local_s3.put(bucket, key, file.read_bytes())
        keys.append(key)
    return keys


def report(local_s3, bucket: str, name: str, month: int) -> list[dict]:
    keys = [k for k in local_s3.keys(bucket, f"citibike/results/{name}/year=2024/month={month}/") if k.endswith(".csv")]
    assert len(keys) == 1, keys
    return list(csv.DictReader(io.StringIO(local_s3.read(bucket, keys[0]))))


def states(dag_run) -> dict[str, list[str]]:
    """Task id -> the states of its instances, by map index (one per month of the run)."""
    found: dict[str, list[str]] = {}
    for ti in sorted(dag_run.get_task_instances(), key=lambda ti: (ti.task_id, ti.map_index)):
        found.setdefault(ti.task_id, []).append(ti.state)
    return found


MONTH_TASKS = ["wait_for_archive", "stage_csv", "csv_to_parquet", "monthly_reports", "verify_reports"]


def test_a_range_of_months_runs_in_one_run_one_task_per_month_with_moto_s3_and_local_spark_for_the_operator(
    citibike_dag, citibike_world, local_s3, spark, tmp_path
):
    bucket, site, spark_operator = citibike_world
    site.files["202405-citibike-tripdata.zip"] = archive_bytes(2024, 5, MAY_2024, parts=2)
    site.files["202406-citibike-tripdata.zip"] = archive_bytes(2024, 6, MAY_2024, parts=1)
    # What an earlier run of May left (must be replaced) and July (must stay untouched).
    stale_csv = "citibike/csv/year=2024/month=5/202405-citibike-tripdata_3.csv"
    local_s3.put(bucket, stale_csv, "stale")
    stale_may = upload_parquet_month(spark, local_s3, bucket, tmp_path, 5, [Trips("6140.05", "6450.05", 3)], "old")
    july = upload_parquet_month(spark, local_s3, bucket, tmp_path, 7, [Trips("4846.01", "6140.05", 7)], "july")
    july_report = "citibike/results/ridership/year=2024/month=7/part-00000-july.csv"
    local_s3.put(bucket, july_report, "trips\n7\n")

    # A backfill of two months is one run: every month task runs once per month.
    dag_run = citibike_dag.test(run_conf={"month": "2024-05", "through_month": "2024-06"})

    assert states(dag_run) == {
        "plan_months": [TaskInstanceState.SUCCESS],
        **{f"month.{task}": [TaskInstanceState.SUCCESS] * 2 for task in MONTH_TASKS},
    }
    assert dag_run.state == DagRunState.SUCCESS
    assert ("HEAD", "/tripdata/202405-citibike-tripdata.zip") in site.requests
    assert ("HEAD", "/tripdata/202406-citibike-tripdata.zip") in site.requests

    # The archive's CSV parts replaced May's earlier copy; the macOS litter stayed out.
    assert local_s3.keys(bucket, "citibike/csv/") == [
        "citibike/csv/year=2024/month=5/202405-citibike-tripdata_1.csv",
        "citibike/csv/year=2024/month=5/202405-citibike-tripdata_2.csv",
        "citibike/csv/year=2024/month=6/202406-citibike-tripdata_1.csv",
    ]
    may_parquet = local_s3.keys(bucket, "citibike/parquet/year=2024/month=5/")
    assert may_parquet
    assert not set(stale_may) & set(may_parquet)
    assert local_s3.keys(bucket, "citibike/parquet/year=2024/month=6/")
    assert set(july) <= set(local_s3.keys(bucket, "citibike/parquet/year=2024/month=7/"))
    assert local_s3.read(bucket, july_report) == "trips\n7\n"

    for month in (5, 6):
        assert report(local_s3, bucket, "ridership", month) == [{"trips": str(MAY_2024_TRIPS)}]
        assert report(local_s3, bucket, "popular_start_stations", month) == [
            {"station_id": "6140.05", "station_name": "W 21 St & 6 Ave", "trips": "5", "rank": "1"},
            {"station_id": "5905.14", "station_name": "Broadway & W 58 St, North", "trips": "3", "rank": "2"},
            {"station_id": "4846.01", "station_name": "Pier 40 - Hudson River Park", "trips": "3", "rank": "3"},
            {"station_id": "6450.05", "station_name": "E 17 St & Broadway", "trips": "1", "rank": "4"},
        ]
        assert report(local_s3, bucket, "popular_end_stations", month) == [
            {"station_id": "6450.05", "station_name": "E 17 St & Broadway", "trips": "8", "rank": "1"},
            {"station_id": "6140.05", "station_name": "W 21 St & 6 Ave", "trips": "3", "rank": "2"},
        ]
        by_type = report(local_s3, bucket, "trips_by_member_and_rideable_type", month)
        assert sorted((r["member_casual"], r["rideable_type"], r["trips"]) for r in by_type) == [
            ("casual", "electric_bike", "4"),
            ("member", "classic_bike", "5"),
            ("member", "electric_bike", "3"),
        ]

    # The SparkApplications as the operator would have created them: one pair per month.
    applications = spark_operator.applications
    assert len(applications) == 4
    for application in applications:
        assert application["metadata"]["namespace"] == "spark-team-a"
        assert application["spec"]["image"] == JOB_IMAGE
        assert application["spec"]["sparkConf"]["spark.eventLog.dir"] == f"s3a://{bucket}-events/team-a/"
    to_parquet = sorted(
        (a for a in applications if a["metadata"]["name"].startswith("citibike-csv-to-parquet-")),
        key=lambda a: a["spec"]["arguments"][-1],
    )
    assert [a["spec"]["arguments"] for a in to_parquet] == [
        [
            "--input",
            f"s3a://{bucket}/citibike/csv/year=2024/month={month}/",
            "--output",
            f"s3a://{bucket}/citibike/parquet",
            "--year",
            "2024",
            "--month",
            str(month),
        ]
        for month in (5, 6)
    ]
    assert sum(a["metadata"]["name"].startswith("citibike-reports-") for a in applications) == 2
    # Each Spark run left its event log under the team's prefix of the event-log bucket.
    # (Spark 4 writes rolling event logs: one eventlog_v2_<app id>/ folder per application.)
    event_logs = {k.split("/")[1] for k in local_s3.keys(f"{bucket}-events", "team-a/") if k != "team-a/"}
    assert len(event_logs) == 4, event_logs
    assert all(name.startswith("eventlog_v2_") for name in event_logs)


def test_an_archive_with_the_wrong_columns_fails_the_conversion_and_stops_the_run(
    citibike_dag, citibike_world, local_s3
):
    bucket, site, spark_operator = citibike_world
    pre_2021 = ("tripduration", "starttime", "stoptime", "start station id", "end station id", "bikeid", "usertype")
    site.files["202406-citibike-tripdata.csv.zip"] = archive_bytes(
        2024, 6, [Trips("6140.05", "6450.05", 1)], header=pre_2021
    )
    dag_run = citibike_dag.test(logical_date=datetime(2024, 7, 1, tzinfo=UTC))

    assert dag_run.state == DagRunState.FAILED
    assert states(dag_run) == {
        "plan_months": [TaskInstanceState.SUCCESS],
        "month.wait_for_archive": [TaskInstanceState.SUCCESS],
        "month.stage_csv": [TaskInstanceState.SUCCESS],
        "month.csv_to_parquet": [TaskInstanceState.FAILED],
        "month.monthly_reports": [TaskInstanceState.UPSTREAM_FAILED],
        "month.verify_reports": [TaskInstanceState.UPSTREAM_FAILED],
    }
    # The older naming (.csv.zip) was found after the newer one answered 404.
    assert [r for r in site.requests if r[0] == "HEAD"] == [
        ("HEAD", "/tripdata/202406-citibike-tripdata.zip"),
        ("HEAD", "/tripdata/202406-citibike-tripdata.csv.zip"),
    ]
    failed = spark_operator.runs[-1]
    assert failed.returncode == 2
    driver_log = failed.stdout + failed.stderr  # spark-submit merges the driver's stderr into stdout
    assert "error: s3a://" in driver_log
    assert "the CSV columns do not match the Citibike trip schema" in driver_log
    assert "missing ride_id" in driver_log
    assert "Traceback" not in driver_log
    assert local_s3.keys(bucket, "citibike/parquet/") == []
