"""livy_spark_pi: estimate pi through the in-cluster Livy service, then check the result.

Livy on Kubernetes reports a batch as successful when the driver pod exits 0, whatever
Spark did, so the job writes its result to S3 and ``verify_result`` checks it: the batch's
final state in Livy must be ``success`` (the driver's exit status) and the result must be
the one *this* attempt of ``submit_batch`` wrote. The output folder is keyed to the
attempt (``.../<run>/try-<n>/``) and emptied before the batch is submitted, so a rerun
whose job exits 0 without writing fails the check instead of passing on an earlier
attempt's output.
Two params exist for checking the platform rather than for everyday runs: ``spark_conf``
(Spark properties added to the batch's conf, over the DAG's; the platform's Livy refuses
the ones it blocks) and ``write_result`` (false submits the job without an output folder,
so it exits 0 without writing and ``verify_result`` must fail: what ``pnpm e2e``'s
``livy-failure`` proves on the cluster).
``submit_batch`` polls Livy (``polling_interval`` > 0; at 0 the operator would return
right after the submission) from the triggerer (deferrable), holding no worker slot.

Livy runs Spark 3.5, so the job (``jobs/spark_pi.py``, which keeps to APIs Spark 3.5 and
4.0 share) is uploaded from this bundle to S3 under its content hash for Livy to fetch.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import Param, dag, task

from airspark.livy import LivyBatchOperator
from airspark.platform import AWS_CONN_ID, LIVY_CONN_ID, spark_submit_placement_conf

JOB_PREFIX = "airspark/livy-jobs"
RESULT_PREFIX = "airspark/livy-spark-pi"
# Livy refuses POSTs without this header when its CSRF protection is on.
LIVY_HEADERS = {"X-Requested-By": "airflow"}
# Rendered in submit_batch: the run's output folder, one sub-folder per attempt.
RESULT_FOLDER = "{{ ti.xcom_pull(task_ids='stage_job', key='output') }}try-{{ ti.try_number }}/"
# The job's --output: empty when the run asks for no result (the job then writes nothing).
OUTPUT_ARG = "--output={% if params.write_result %}" + RESULT_FOLDER + "{% endif %}"


@task(multiple_outputs=True)
def stage_job(params: dict, run_id: str) -> dict:
    """Upload the job to S3 (idempotent: the key is the file's hash) and choose the run's output folder."""
    import hashlib
    from pathlib import Path

    from airflow.providers.amazon.aws.hooks.s3 import S3Hook
    from airflow.sdk.exceptions import AirflowFailException

    from airspark.platform import AWS_CONN_ID, ConfigurationError, data_bucket, run_key

    try:
        bucket = data_bucket(params.get("bucket"))
    except ConfigurationError as err:
        raise AirflowFailException(str(err)) from None  # a retry would not fix it
    job = Path(__file__).parent / "jobs" / "spark_pi.py"
    body = job.read_bytes()
    key = f"{JOB_PREFIX}/{hashlib.sha256(body).hexdigest()[:16]}/{job.name}"
    S3Hook(aws_conn_id=AWS_CONN_ID).load_bytes(body, key=key, bucket_name=bucket, replace=True)
    output_key = f"{RESULT_PREFIX}/{run_key(run_id)}/"
    return {
        "file": f"s3a://{bucket}/{key}",
        "bucket": bucket,
        "output_key": output_key,
        "output": f"s3a://{bucket}/{output_key}",
        "batch_name": f"spark-pi-{run_key(run_id)}"[:80],
    }


@task(multiple_outputs=True)
def verify_result(staged: dict, params: dict, ti) -> dict:
    """Fail unless the batch succeeded and this attempt wrote a plausible estimate from every sample."""
    import json
    import math

    from airflow.providers.amazon.aws.hooks.s3 import S3Hook
    from airflow.providers.apache.livy.hooks.livy import BatchState, LivyHook
    from airflow.sdk.exceptions import AirflowFailException

    from airspark.platform import AWS_CONN_ID

    batch_id = ti.xcom_pull(task_ids="submit_batch")
    folder = ti.xcom_pull(task_ids="submit_batch", key="result_folder")
    if batch_id is None or not folder:
        raise AirflowFailException("submit_batch left no batch id or result folder: rerun submit_batch")
    # The driver's exit status as Livy recorded it (on Kubernetes: the driver pod's phase).
    livy = LivyHook(livy_conn_id=LIVY_CONN_ID, extra_headers=LIVY_HEADERS)
    try:
        state = livy.get_batch_state(batch_id)
    except Exception as err:  # Livy forgets finished batches after livy.server.session.state-retain.sec
        raise AirflowFailException(f"Livy has no state for batch {batch_id} ({err}): rerun submit_batch") from None
    if state != BatchState.SUCCESS:
        raise AirflowFailException(f"Livy batch {batch_id} ended {state.value}, not success")

    bucket = staged["bucket"]
    prefix = folder.removeprefix(f"s3a://{bucket}/")
    hook = S3Hook(aws_conn_id=AWS_CONN_ID)
    keys = [k for k in hook.list_keys(bucket, prefix=prefix) or [] if k.endswith(".json")]
    if not keys:
        raise AirflowFailException(
            f"Livy batch {batch_id} succeeded but its job wrote no result under {folder}: read the batch "
            "log above; the driver exited 0 without finishing"
        )
    lines = [line for key in keys for line in hook.read_key(key, bucket).splitlines() if line.strip()]
    if len(lines) != 1:
        raise AirflowFailException(f"expected one result under {folder}, found {len(lines)}")
    result = json.loads(lines[0])
    expected = params["partitions"] * params["samples_per_partition"]
    if result.get("samples") != expected:
        raise AirflowFailException(f"the job sampled {result.get('samples')} points, not the {expected} asked for")
    if not abs(result["pi"] - math.pi) < 0.1:
        raise AirflowFailException(f"the estimate {result['pi']} is not within 0.1 of pi")
    return result


@dag(
    dag_id="livy_spark_pi",
    schedule=None,
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    tags=["spark", "livy", "smoke-test"],
    default_args={"owner": "data-platform", "retries": 1, "retry_delay": timedelta(minutes=2)},
    params={
        "bucket": Param(None, type=["null", "string"], description="S3 bucket; default: Variable airspark_data_bucket"),
        "partitions": Param(10, type="integer", minimum=1, maximum=1000),
        "samples_per_partition": Param(100_000, type="integer", minimum=1000, maximum=10_000_000),
        "spark_conf": Param(
            {},
            type="object",
            additionalProperties={"type": "string"},
            description="Spark properties added to the batch's conf (Livy refuses the ones the platform blocks)",
        ),
        "write_result": Param(
            True,
            type="boolean",
            description="false: the job writes no result, so verify_result fails (a check of the check)",
        ),
    },
    doc_md=__doc__,
)
def livy_spark_pi():
    staged = stage_job()
    submit_batch = LivyBatchOperator(
        task_id="submit_batch",
        livy_conn_id=LIVY_CONN_ID,
        file=staged["file"],
        args=[
            "--partitions",
            "{{ params.partitions }}",
            "--samples-per-partition",
            "{{ params.samples_per_partition }}",
            OUTPUT_ARG,
        ],
        result_folder=RESULT_FOLDER,
        aws_conn_id=AWS_CONN_ID,
        # Livy refuses a batch named like one it still knows (finished ones included): each
        # attempt gets its own name, also when a re-created run starts again at try 1.
        name="{{ ti.xcom_pull(task_ids='stage_job', key='batch_name') }}-try{{ ti.try_number }}-{{ ti.id.hex[-8:] }}",
        conf=spark_submit_placement_conf(),
        extra_conf="{{ params.spark_conf | tojson }}",
        driver_memory="1g",
        driver_cores=1,
        executor_memory="1g",
        executor_cores=1,
        num_executors=2,
        extra_headers=LIVY_HEADERS,
        polling_interval=30,
        deferrable=True,
        execution_timeout=timedelta(hours=1),
    )
    staged >> submit_batch >> verify_result(staged)


livy_spark_pi()
