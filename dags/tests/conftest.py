"""Test-wide setup: an isolated Airflow home, one local SparkSession, the paths.

Airflow reads its configuration when first imported, so the environment is set here,
before any test module imports it: a throwaway AIRFLOW_HOME with a SQLite metadata
database, this bundle as the DAGs folder and no example DAGs.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

BUNDLE = Path(__file__).resolve().parents[1]
JOBS = BUNDLE / "jobs"

_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="airspark-airflow-home-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(_AIRFLOW_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(BUNDLE),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_AIRFLOW_HOME / 'airflow.db'}",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        # The DAG processor's 30 s per file is for a server; a loaded test machine can take
        # longer to import the providers. Parse time is measured by bench/parse_times.py.
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "600",
        # Nothing in the tests may reach a real cloud account.
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
)
for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
    os.environ.pop(_name, None)

# Request-by-request logs of moto's server and py4j's shutdown chatter drown the output.
logging.getLogger("werkzeug").setLevel(logging.WARNING)
logging.getLogger("py4j").setLevel(logging.WARNING)

if str(JOBS) not in sys.path:
    sys.path.insert(0, str(JOBS))


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def spark():
    """One local SparkSession for every in-process job test: starting one costs seconds."""
    from pyspark.sql import SparkSession

    from tests.support.spark_submit import QUICK_JVM

    session = (
        SparkSession.builder.master("local[2]")
        .appName("airspark-dags-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", QUICK_JVM)
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="session")
def airflow_db():
    """A fresh SQLite metadata database: ``dag.test()`` records its runs there."""
    from airflow.utils import db

    db.initdb()


@pytest.fixture(scope="session")
def bundle_dags():
    """The bundle's DAGs parsed as the DAG processor does, failing on any import error."""
    from tests.support.parse_guard import parse_bundle

    dagbag, _ = parse_bundle(BUNDLE)
    assert dagbag.import_errors == {}
    return dagbag.dags


@pytest.fixture(scope="session")
def s3a_jars():
    """hadoop-aws and the AWS SDK bundle, the same files the Spark image adds."""
    from tests.support.jars import ensure_jars

    return ensure_jars()


@pytest.fixture(scope="session")
def local_s3():
    """moto's S3 server on loopback, standing in for AWS S3 (see tests/support/local_s3.py)."""
    from moto.server import ThreadedMotoServer

    from tests.support.local_s3 import LocalS3

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield LocalS3(endpoint=f"http://{host}:{port}")
    server.stop()
