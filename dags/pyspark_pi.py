"""pyspark_pi: estimate pi on the Spark Operator, the smallest end-to-end check of that path.

The SparkKubernetesOperator (as ``SparkApplicationOperator``, which only adds clear messages
when the application cannot start) creates the SparkApplication of
``spark_apps/pyspark-pi.yaml`` in the Spark team namespace, follows the driver's log and fails
the task when the driver fails: it waits for the application itself (deferred, holding no
worker slot), so no sensor follows it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import Param, dag

from airspark.platform import KUBERNETES_CONN_ID, SPARK_NAMESPACE
from airspark.spark_operator import SparkApplicationOperator


@dag(
    dag_id="pyspark_pi",
    schedule=None,
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    tags=["spark", "spark-operator", "smoke-test"],
    default_args={"owner": "data-platform", "retries": 1, "retry_delay": timedelta(minutes=2)},
    params={"partitions": Param(10, type="integer", minimum=1, maximum=1000, description="Spark partitions")},
    doc_md=__doc__,
)
def pyspark_pi():
    SparkApplicationOperator(
        task_id="estimate_pi",
        application_file="spark_apps/pyspark-pi.yaml",
        # The operator overwrites metadata.namespace with this argument (default "default").
        namespace=SPARK_NAMESPACE,
        kubernetes_conn_id=KUBERNETES_CONN_ID,
        get_logs=True,
        delete_on_termination=True,
        # The driver is watched from the triggerer: no worker slot is held while it runs.
        deferrable=True,
        execution_timeout=timedelta(minutes=30),
    )


pyspark_pi()
