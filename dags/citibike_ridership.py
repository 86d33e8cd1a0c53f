"""citibike_ridership: Citibike months from the public archive to monthly reports.

1. ``plan_months`` works out the months of the run (the ``month`` param, through
   ``through_month`` if given, else the run's data interval) and every location of each.
2. Then, for every month in parallel (one mapped ``month`` group per month, so a backfill
   of a year is one run with twelve of each task, each month going ahead on its own):
   - ``wait_for_archive`` waits, rescheduling itself, until Citibike publishes the month;
   - ``stage_csv`` downloads the archive and stores its CSV files under the month's prefix
     in S3, then removes what an earlier run of that month left there: a rerun replaces
     that month only;
   - ``csv_to_parquet`` (Spark) checks the columns against today's Citibike schema and
     writes the month as Parquet partitioned by year and month;
   - ``monthly_reports`` (Spark SQL) writes trips per month, popular start and end
     stations, and trips by member and rideable type, one S3 folder per report;
   - ``verify_reports`` checks that every report has the month's file.

The Spark steps run as SparkApplications in the Spark team namespace; the operator waits
for each application (deferred, holding no worker slot while the driver runs) and fails
the task when Spark fails or the application cannot start.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import CronDataIntervalTimetable, Param, dag, task, task_group

from airspark.platform import KUBERNETES_CONN_ID, SPARK_NAMESPACE
from airspark.sensors import UrlPublishedSensor
from airspark.spark_operator import SparkApplicationOperator

DOWNLOAD_CHUNK = 8 * 1024 * 1024
# Months of one run processed at the same time: each downloads ~1 GB and runs two Spark
# applications (1 driver + 3 executors each).
PARALLEL_MONTHS = 4


@task
def plan_months(params: dict, data_interval_start: datetime | None = None) -> list[dict]:
    """One entry per month: ``plan`` (every location of the month) and its ``archive_urls``."""
    from airflow.sdk import Variable
    from airflow.sdk.exceptions import AirflowFailException

    from airspark import citibike
    from airspark.platform import ConfigurationError, data_bucket

    try:
        months = citibike.months_to_process(params.get("month"), params.get("through_month"), data_interval_start)
        bucket = data_bucket(params.get("bucket"))
    except (citibike.MonthError, ConfigurationError) as err:
        raise AirflowFailException(str(err)) from None  # a retry would not fix it
    source_url = Variable.get(citibike.SOURCE_URL_VARIABLE, default=citibike.DEFAULT_SOURCE_URL)
    plans = [citibike.plan(bucket=bucket, year=year, month=month, source_url=source_url) for year, month in months]
    names = ", ".join(f"{p['year']}-{p['month']:02d}" for p in plans)
    print(f"{len(plans)} month(s): {names}")
    return [{"plan": plan, "archive_urls": plan["archive_urls"]} for plan in plans]


@task(multiple_outputs=True)
def stage_csv(plan: dict, archive_url: str) -> dict:
    import tempfile
    import zipfile

    import requests
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook
    from airflow.sdk.exceptions import AirflowFailException

    from airspark import citibike
    from airspark.platform import AWS_CONN_ID

    bucket, prefix = plan["bucket"], plan["csv_key_prefix"]
    hook = S3Hook(aws_conn_id=AWS_CONN_ID)
    with tempfile.TemporaryFile() as archive_file:
        with requests.get(archive_url, stream=True, timeout=(30, 300)) as response:
            response.raise_for_status()
            size = 0
            for chunk in response.iter_content(DOWNLOAD_CHUNK):
                archive_file.write(chunk)
                size += len(chunk)
                if size % (25 * DOWNLOAD_CHUNK) < len(chunk):
                    print(f"downloaded {size // 2**20} MiB of {archive_url}")
        print(f"downloaded {archive_url}: {size} bytes")
        archive_file.seek(0)
        try:
            archive = zipfile.ZipFile(archive_file)
        except zipfile.BadZipFile:
            raise AirflowFailException(f"{archive_url} is not a zip archive") from None
        with archive:
            members = citibike.csv_members(archive.namelist())
            if not members:
                raise AirflowFailException(f"{archive_url} holds no CSV file: {archive.namelist()}")
            keys = citibike.staged_keys(prefix, members)
            for member, key in keys.items():
                with archive.open(member) as csv_file:
                    hook.load_file_obj(csv_file, key=key, bucket_name=bucket, replace=True)
                print(f"stored {member} as s3://{bucket}/{key}")
    # Upload first, then remove leftovers: the month is never empty, and a rerun that
    # brings fewer parts does not keep the old extra ones.
    leftovers = sorted(set(hook.list_keys(bucket, prefix=prefix) or []) - set(keys.values()))
    if leftovers:
        hook.delete_objects(bucket, leftovers)
        print(f"removed {len(leftovers)} files an earlier run of this month left: {leftovers}")
    return {"keys": sorted(keys.values()), "archive_bytes": size}


@task(multiple_outputs=True)
def verify_reports(plan: dict) -> dict:
    import csv
    import io

    from airflow.providers.amazon.aws.hooks.s3 import S3Hook
    from airflow.sdk.exceptions import AirflowFailException

    from airspark.platform import AWS_CONN_ID

    hook = S3Hook(aws_conn_id=AWS_CONN_ID)
    files = {}
    for report, prefix in plan["report_key_prefixes"].items():
        found = [k for k in hook.list_keys(plan["bucket"], prefix=prefix) or [] if k.endswith(".csv")]
        if not found:
            raise AirflowFailException(f"report {report} has no CSV under s3://{plan['bucket']}/{prefix}")
        files[report] = found
    ridership = hook.read_key(files["ridership"][0], plan["bucket"])
    trips = int(next(csv.DictReader(io.StringIO(ridership)))["trips"])
    print(f"{plan['year']}-{plan['month']:02d}: {trips} trips; reports: {', '.join(sorted(files))}")
    return {"trips": trips, "files": files}


@task_group
def month(plan: dict, archive_urls: list[str]) -> None:
    """One month's pipeline; the group is mapped, one instance per month of the run."""
    # Citibike publishes a month some days into the next one: poke twice a day, for
    # three weeks, giving the worker slot back between pokes.
    archive_url = UrlPublishedSensor(
        task_id="wait_for_archive",
        urls=archive_urls,
        poke_interval=timedelta(hours=12),
        timeout=timedelta(days=21),
        mode="reschedule",
    ).output
    staged = stage_csv(plan, archive_url)
    # The templates read this month's locations as plan_months' entry ti.map_index.
    csv_to_parquet = SparkApplicationOperator(
        task_id="csv_to_parquet",
        application_file="spark_apps/citibike-csv-to-parquet.yaml",
        namespace=SPARK_NAMESPACE,
        kubernetes_conn_id=KUBERNETES_CONN_ID,
        get_logs=True,
        delete_on_termination=True,
        deferrable=True,
        execution_timeout=timedelta(hours=2),
    )
    monthly_reports = SparkApplicationOperator(
        task_id="monthly_reports",
        application_file="spark_apps/citibike-reports.yaml",
        namespace=SPARK_NAMESPACE,
        kubernetes_conn_id=KUBERNETES_CONN_ID,
        get_logs=True,
        delete_on_termination=True,
        deferrable=True,
        execution_timeout=timedelta(hours=1),
    )
    staged >> csv_to_parquet >> monthly_reports >> verify_reports(plan)


@dag(
    dag_id="citibike_ridership",
    # One run per calendar month, started once the month is over.
    schedule=CronDataIntervalTimetable("0 0 1 * *", timezone="UTC"),
    start_date=datetime(2024, 5, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    # Months of one run go ahead side by side, this many at a time.
    max_active_tasks=PARALLEL_MONTHS * 2,
    tags=["citibike", "spark", "spark-operator"],
    default_args={"owner": "data-platform", "retries": 2, "retry_delay": timedelta(minutes=10)},
    params={
        "month": Param(
            None,
            type=["null", "string"],
            pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
            description="YYYY-MM to process, the first of a range; default: the month of the data interval",
        ),
        "through_month": Param(
            None,
            type=["null", "string"],
            pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
            description="YYYY-MM, the last month of a range starting at month (at most 24 months a run)",
        ),
        "bucket": Param(None, type=["null", "string"], description="S3 bucket; default: Variable airspark_data_bucket"),
    },
    doc_md=__doc__,
)
def citibike_ridership():
    month.expand_kwargs(plan_months())


citibike_ridership()
