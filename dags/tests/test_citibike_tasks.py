"""The citibike_ridership Python tasks' error paths, called directly.

Stand-ins: moto's S3 server on loopback for S3; a loopback HTTP server for the site.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from airflow.sdk.exceptions import AirflowFailException

from airspark import citibike
from airspark.sensors import UrlPublishedSensor
from tests.support.citibike_site import CitibikeSite


@pytest.fixture(scope="module")
def tasks(bundle_dags):
    dag = bundle_dags["citibike_ridership"]
    return {task_id: dag.get_task(f"month.{task_id}") for task_id in ("stage_csv", "verify_reports")}


@pytest.fixture
def world(local_s3, monkeypatch, request):
    bucket = f"tasks-{request.node.name.replace('_', '-')[:40].strip('-')}"
    local_s3.client().create_bucket(Bucket=bucket)
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", local_s3.aws_connection())
    with CitibikeSite() as site:
        yield bucket, site, citibike.plan(bucket=bucket, year=2024, month=5, source_url=site.url)


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_stage_csv_refuses_a_file_that_is_not_a_zip(tasks, world):
    _bucket, site, plan = world
    site.files["202405-citibike-tripdata.zip"] = b"<html>not found</html>"
    with pytest.raises(AirflowFailException, match="is not a zip archive"):
        tasks["stage_csv"].python_callable(plan, f"{site.url}/202405-citibike-tripdata.zip")


def test_stage_csv_refuses_an_archive_without_csv(tasks, world, local_s3):
    bucket, site, plan = world
    site.files["202405-citibike-tripdata.zip"] = zipped({"README.txt": "moved"})
    with pytest.raises(AirflowFailException, match="holds no CSV file"):
        tasks["stage_csv"].python_callable(plan, f"{site.url}/202405-citibike-tripdata.zip")
    assert local_s3.keys(bucket) == []


def test_verify_reports_names_the_report_that_is_missing(tasks, world, local_s3):
    bucket, _, plan = world
    for name, prefix in plan["report_key_prefixes"].items():
        if name != "popular_end_stations":
            local_s3.put(bucket, f"{prefix}part-00000.csv", "trips\n1\n")
    with pytest.raises(AirflowFailException, match=r"report popular_end_stations has no CSV under s3://"):
        tasks["verify_reports"].python_callable(plan)


def test_the_sensor_waits_on_404_and_pushes_the_first_published_url(world):
    _, site, plan = world
    sensor = UrlPublishedSensor(task_id="wait", urls=plan["archive_urls"])
    assert sensor.poke({}).is_done is False
    site.files["202405-citibike-tripdata.csv.zip"] = b"zip"
    done = sensor.poke({})
    assert done.is_done is True
    assert done.xcom_value == plan["archive_urls"][1]


def test_the_sensor_fails_on_a_server_error(world):
    import requests

    _, site, plan = world
    site.errors["202405-citibike-tripdata.zip"] = 500
    with pytest.raises(requests.HTTPError, match="500"):
        UrlPublishedSensor(task_id="wait", urls=plan["archive_urls"]).poke({})


def test_the_sensor_fails_when_the_site_cannot_be_reached():
    import requests

    sensor = UrlPublishedSensor(task_id="wait", urls=["http://127.0.0.1:9/nothing-listens-here"], request_timeout=2)
    with pytest.raises(requests.ConnectionError):
        sensor.poke({})


def test_plan_months_fails_without_retry_when_the_run_names_no_month(bundle_dags, monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_AIRSPARK_DATA_BUCKET", "data")
    plan_months = bundle_dags["citibike_ridership"].get_task("plan_months")
    with pytest.raises(AirflowFailException, match="trigger it with the param 'month'"):
        plan_months.python_callable(params={"month": None, "bucket": None}, data_interval_start=None)


def test_plan_months_fails_without_retry_on_a_backwards_range(bundle_dags, monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_AIRSPARK_DATA_BUCKET", "data")
    plan_months = bundle_dags["citibike_ridership"].get_task("plan_months")
    with pytest.raises(AirflowFailException, match="through_month 2024-01 is before month 2024-05"):
        plan_months.python_callable(params={"month": "2024-05", "through_month": "2024-01", "bucket": None})


def test_plan_months_fails_without_retry_when_no_bucket_is_configured(bundle_dags, monkeypatch):
    monkeypatch.delenv("AIRFLOW_VAR_AIRSPARK_DATA_BUCKET", raising=False)
    plan_months = bundle_dags["citibike_ridership"].get_task("plan_months")
    with pytest.raises(AirflowFailException, match="set the Airflow Variable airspark_data_bucket"):
        plan_months.python_callable(params={"month": "2024-05", "bucket": None})


def test_plan_months_reads_the_source_url_variable_in_the_task(bundle_dags, monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_CITIBIKE_SOURCE_URL", "http://mirror.invalid/tripdata")
    plan_months = bundle_dags["citibike_ridership"].get_task("plan_months")
    (entry,) = plan_months.python_callable(params={"month": "2024-05", "bucket": "data"})
    plan = entry["plan"]
    assert entry["archive_urls"] == plan["archive_urls"]
    assert plan["archive_urls"][0] == "http://mirror.invalid/tripdata/202405-citibike-tripdata.zip"
    assert plan["csv_uri"] == "s3a://data/citibike/csv/year=2024/month=5/"
