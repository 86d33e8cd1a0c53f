"""versitygw, a real S3-compatible server, serving a temporary folder on loopback.

Built from the Go module proxy by ``node scripts/setup-versitygw.mjs`` into the airspark
cache (the same binary the end-to-end Citibike scenario uses). Unlike moto, it is a
server that speaks S3 on the wire as a deployment would, with its own signature checks.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.support.jars import cache_dir as jars_cache_dir
from tests.support.local_s3 import REGION

VERSION = "v1.8.0"  # scripts/setup-versitygw.mjs
ACCESS_KEY, SECRET_KEY = "airspark-test", "airspark-test-secret"
STARTUP_LIMIT_S = 300


class VersitygwUnavailableError(RuntimeError):
    """The binary is missing or does not start; the message says how to build it."""


def binary() -> Path:
    path = jars_cache_dir().parent / "versitygw" / VERSION / "versitygw"
    if not os.access(path, os.X_OK):
        raise VersitygwUnavailableError(
            f"no versitygw at {path}: build it with `node scripts/setup-versitygw.mjs` from the repository root "
            "(the dags package's test script does)"
        )
    return path


class Versitygw:
    def __init__(self) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="airspark-versitygw-"))
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen | None = None

    def start(self) -> Versitygw:
        command = [str(binary()), "--access", ACCESS_KEY, "--secret", SECRET_KEY, "--region", REGION]
        command += ["--port", f"127.0.0.1:{self.port}", "posix", str(self._folder / "data")]
        (self._folder / "data").mkdir()
        log = (self._folder / "versitygw.log").open("wb")
        self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        began = time.monotonic()
        while time.monotonic() - began < STARTUP_LIMIT_S:
            if self._process.poll() is not None:
                raise VersitygwUnavailableError(f"versitygw exited {self._process.returncode}: {self.log()}")
            try:
                urllib.request.urlopen(self.endpoint, timeout=5)  # noqa: S310 (loopback)
            except urllib.error.HTTPError:
                return self  # it answers (403 without a signature): up
            except OSError:
                time.sleep(0.5)
                continue
            return self
        raise VersitygwUnavailableError(f"versitygw did not answer within {STARTUP_LIMIT_S} s: {self.log()}")

    def log(self) -> str:
        return (self._folder / "versitygw.log").read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=60)
        shutil.rmtree(self._folder, ignore_errors=True)

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def s3a_conf(self) -> dict[str, str]:
        return {
            "spark.hadoop.fs.s3a.endpoint": self.endpoint,
            "spark.hadoop.fs.s3a.endpoint.region": REGION,
            "spark.hadoop.fs.s3a.path.style.access": "true",
            "spark.hadoop.fs.s3a.connection.ssl.enabled": "false",
            "spark.hadoop.fs.s3a.access.key": ACCESS_KEY,
            "spark.hadoop.fs.s3a.secret.key": SECRET_KEY,
            "spark.hadoop.fs.s3a.aws.credentials.provider": "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
        }
