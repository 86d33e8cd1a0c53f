"""The Citibike jobs read and write s3a:// on a real S3-compatible server (versitygw).

What the end-to-end Citibike scenario relies on, checked here with the real Spark and the
image's s3a jars: the jobs run with spark-submit as separate drivers against versitygw
(tests/support/versitygw.py), with the s3a settings the environment's ``spark_conf``
Variable would give the pods. No stand-in.
"""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import JOBS
from tests.support.citibike_sample import MAY_2024, MAY_2024_TRIPS, write_csv_parts
from tests.support.spark_submit import spark_submit
from tests.support.versitygw import Versitygw, VersitygwUnavailableError


@pytest.fixture(scope="module")
def versitygw():
    server = Versitygw()
    try:
        server.start()
    except VersitygwUnavailableError as err:
        server.stop()
        pytest.fail(str(err), pytrace=False)
    yield server
    server.stop()


def keys(client, bucket: str, prefix: str) -> list[str]:
    found = client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return sorted(item["Key"] for item in found)


def test_the_citibike_jobs_convert_and_report_a_month_through_s3a_on_versitygw(versitygw, s3a_jars, tmp_path):
    s3 = versitygw.client()
    s3.create_bucket(Bucket="citibike")
    folder = write_csv_parts(tmp_path / "csv", 2024, 5, MAY_2024)
    for part in sorted(folder.iterdir()):
        s3.upload_file(str(part), "citibike", f"csv/year=2024/month=5/{part.name}")
    month = ["--year", "2024", "--month", "5"]

    converted = spark_submit(
        str(JOBS / "citibike_csv_to_parquet.py"),
        ["--input", "s3a://citibike/csv/year=2024/month=5/", "--output", "s3a://citibike/parquet", *month],
        versitygw.s3a_conf(),
        s3a_jars,
    )
    assert converted.returncode == 0, converted.stdout[-3000:] + converted.stderr[-3000:]
    assert [k for k in keys(s3, "citibike", "parquet/year=2024/month=5/") if k.endswith(".parquet")]

    reported = spark_submit(
        str(JOBS / "citibike_reports.py"),
        ["--input", "s3a://citibike/parquet", "--output", "s3a://citibike/results", *month, "--top", "3"],
        versitygw.s3a_conf(),
        s3a_jars,
    )
    assert reported.returncode == 0, reported.stdout[-3000:] + reported.stderr[-3000:]
    (ridership,) = [k for k in keys(s3, "citibike", "results/ridership/year=2024/month=5/") if k.endswith(".csv")]
    body = s3.get_object(Bucket="citibike", Key=ridership)["Body"].read().decode()
    assert list(csv.DictReader(io.StringIO(body))) == [{"trips": str(MAY_2024_TRIPS)}]


def test_a_wrong_secret_is_refused_by_the_server_and_the_job_fails(versitygw, s3a_jars):
    versitygw.client().create_bucket(Bucket="refused")
    conf = {**versitygw.s3a_conf(), "spark.hadoop.fs.s3a.secret.key": "wrong"}

    done = spark_submit(
        str(JOBS / "citibike_reports.py"),
        ["--input", "s3a://refused/parquet", "--output", "s3a://refused/results", "--year", "2024", "--month", "5"],
        conf,
        s3a_jars,
    )

    assert done.returncode != 0
    assert "403" in done.stdout + done.stderr or "SignatureDoesNotMatch" in done.stdout + done.stderr
