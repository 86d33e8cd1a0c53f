"""The real Apache Livy 0.9.0 on this machine, in local mode, with the real Spark 3.5.

The platform's Livy runs the same distribution on Kubernetes (apps/livy/image); here it
runs batches with spark-submit of the pyspark 3.5 wheel (the ``spark35`` group's
environment, ``.venv-spark35``) on local Spark instead of driver pods. In both modes a
batch's state follows the driver's exit status: 0 -> ``success``, otherwise ``dead``.

Livy 0.9.0 is not on Maven Central (it stops at 0.7.1): the binary zip is read from
``shared/livy/`` next to the checkout or any folder above it (``/work/shared/livy`` on the
build machines), or from ``$AIRSPARK_LIVY_DIST``; it is checked against its ``.sha512``,
unpacked once into the airspark cache, and never copied into the repository.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from tests.support.jars import cache_dir as jars_cache_dir
from tests.support.spark_submit import QUICK_JVM

LIVY_ZIP = "apache-livy-0.9.0-incubating_2.12-bin.zip"
BUNDLE = Path(__file__).resolve().parents[2]
SPARK35_ENV = BUNDLE / ".venv-spark35"
SPARK35_HOME = SPARK35_ENV / "lib" / "python3.11" / "site-packages" / "pyspark"
# A cold JVM plus Livy's Spark version check take tens of seconds on a loaded machine.
STARTUP_LIMIT_S = 600


class LivyUnavailableError(RuntimeError):
    """Livy cannot be started here; the message says what to put where."""


def find_livy_zip() -> Path:
    """The Livy 0.9.0 binary zip: $AIRSPARK_LIVY_DIST, else shared/livy/ beside or above the checkout."""
    preset = os.environ.get("AIRSPARK_LIVY_DIST")
    candidates = (
        [Path(preset)] if preset else [folder / "shared" / "livy" for folder in BUNDLE.parent.resolve().parents]
    )
    for folder in candidates:
        if (folder / LIVY_ZIP).is_file():
            return folder / LIVY_ZIP
    raise LivyUnavailableError(
        f"{LIVY_ZIP} not found in {', '.join(str(c) for c in candidates)}. The Livy tests run the real Livy "
        f"0.9.0, which is not on Maven Central: put the binary distribution built from the Apache tag "
        f"v0.9.0-incubating (with its .sha512) in shared/livy/ next to this checkout (e.g. /work/shared/livy/), "
        f"or point AIRSPARK_LIVY_DIST at the folder holding it."
    )


def _sha512(path: Path) -> str:
    digest = hashlib.sha512()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def livy_home() -> Path:
    """The unpacked distribution in the airspark cache (checked, unpacked once, atomically)."""
    archive = find_livy_zip()
    checksum_file = archive.with_name(archive.name + ".sha512")
    if not checksum_file.is_file():
        raise LivyUnavailableError(f"{checksum_file} is missing: the Livy zip is only used with its SHA-512 beside it")
    expected = checksum_file.read_text().split()[0].lower()
    target = jars_cache_dir().parent / "livy" / f"{archive.stem}-{expected[:12]}"
    if (target / "bin" / "livy-server").is_file():
        return target
    actual = _sha512(archive)
    if actual != expected:
        raise LivyUnavailableError(f"{archive}: SHA-512 {actual} does not match {checksum_file} ({expected})")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(staging)
        (root,) = staging.iterdir()
        for script in (root / "bin").iterdir():
            script.chmod(0o755)  # zipfile does not keep the mode bits
        root.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _conf_file(path: Path, entries: Mapping[str, str], separator: str) -> None:
    path.write_text("".join(f"{key}{separator}{value}\n" for key, value in entries.items()))


class LivyServer:
    """``bin/livy-server`` in the foreground, local mode, CSRF protection on (as the platform's)."""

    def __init__(self, *, spark_conf: Mapping[str, str], jars: Sequence[Path]):
        self.spark_conf = dict(spark_conf)
        self.jars = list(jars)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._work = Path(tempfile.mkdtemp(prefix="airspark-livy-"))
        self._process: subprocess.Popen | None = None

    def connection(self) -> str:
        """``AIRFLOW_CONN_LIVY_DEFAULT`` pointing at this server."""
        return json.dumps({"conn_type": "livy", "host": "127.0.0.1", "port": self.port, "schema": "http"})

    @property
    def log(self) -> str:
        path = self._work / "livy.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> LivyServer:
        home = livy_home()
        if not (SPARK35_HOME / "bin" / "spark-submit").is_file():
            raise LivyUnavailableError(
                f"no Spark 3.5 at {SPARK35_HOME}: create it with "
                "`UV_PROJECT_ENVIRONMENT=.venv-spark35 uv sync --frozen --only-group spark35` in dags/"
            )
        conf_dir, spark_conf_dir = self._work / "conf", self._work / "spark-conf"
        conf_dir.mkdir()
        spark_conf_dir.mkdir()
        _conf_file(
            conf_dir / "livy.conf",
            {
                "livy.server.host": "127.0.0.1",
                "livy.server.port": str(self.port),
                "livy.spark.master": "local[2]",
                "livy.spark.deploy-mode": "client",
                "livy.server.csrf-protection.enabled": "true",
                "livy.server.recovery.mode": "off",
                "livy.server.session.state-retain.sec": "3600s",
            },
            " = ",
        )
        shutil.copy(home / "conf" / "log4j.properties.template", conf_dir / "log4j.properties")
        # What the image's spark-defaults hold, with the loopback S3 in place of AWS.
        _conf_file(
            spark_conf_dir / "spark-defaults.conf",
            {
                **self.spark_conf,
                "spark.ui.enabled": "false",
                "spark.sql.shuffle.partitions": "2",
                "spark.driver.extraJavaOptions": QUICK_JVM,
                # On the launch classpath, so that spark-submit itself can fetch an s3a:// file.
                "spark.driver.extraClassPath": os.pathsep.join(str(j) for j in self.jars),
            },
            " ",
        )
        python = str(SPARK35_ENV / "bin" / "python")
        env = {
            **os.environ,
            "LIVY_HOME": str(home),
            "LIVY_CONF_DIR": str(conf_dir),
            "LIVY_LOG_DIR": str(self._work),
            "LIVY_PID_DIR": str(self._work),
            "SPARK_HOME": str(SPARK35_HOME),
            "SPARK_CONF_DIR": str(spark_conf_dir),
            "PYSPARK_PYTHON": python,
            "PYSPARK_DRIVER_PYTHON": python,
        }
        with (self._work / "livy.log").open("wb") as log:
            self._process = subprocess.Popen(
                [str(home / "bin" / "livy-server")], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=self._work
            )
        began = time.monotonic()
        while time.monotonic() - began < STARTUP_LIMIT_S:
            if self._process.poll() is not None:
                raise LivyUnavailableError(f"livy-server exited {self._process.returncode}:\n{self.log[-3000:]}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.url}/version", timeout=5) as response,  # noqa: S310 (loopback)
            ):
                if response.status == 200:
                    return self
            time.sleep(1)
        raise LivyUnavailableError(f"livy-server did not answer within {STARTUP_LIMIT_S} s:\n{self.log[-3000:]}")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        shutil.rmtree(self._work, ignore_errors=True)

    def batches(self) -> list[dict]:
        with urllib.request.urlopen(f"{self.url}/batches", timeout=30) as response:  # noqa: S310 (loopback)
            return json.load(response)["sessions"]


@contextlib.contextmanager
def running_livy(*, spark_conf: Mapping[str, str], jars: Sequence[Path]) -> Iterator[LivyServer]:
    server = LivyServer(spark_conf=spark_conf, jars=jars)
    try:
        yield server.start()
    finally:
        server.stop()
