"""spark-submit of the pyspark that the tests install, on local Spark.

The stand-ins for the Spark Operator and Livy hand their applications to this, so the
jobs run as separate driver processes, as they do in the cluster, and their exit status
is what decides success.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyspark

SPARK_SUBMIT = Path(pyspark.__file__).parent / "bin" / "spark-submit"

# Short-lived JVMs on sample data: the C1 compiler alone and the serial collector cut a
# run's CPU time by about 40% (measured on pi: 14.4 s -> 8.2 s of user time).
QUICK_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
# Small and quick: two cores and two shuffle partitions are enough for sample data.
LOCAL_CONF = {
    "spark.master": "local[2]",
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.driver.memory": "1g",
    "spark.driver.extraJavaOptions": QUICK_JVM,
}
# Properties that only mean something on Kubernetes; local Spark ignores them, but they
# are dropped so that the logs stay readable.
_KUBERNETES_ONLY = ("spark.kubernetes.",)


def spark_submit(
    app: str,
    args: Sequence[str],
    conf: Mapping[str, str],
    jars: Sequence[Path] = (),
    timeout: float = 300,
) -> subprocess.CompletedProcess:
    command = [str(SPARK_SUBMIT)]
    merged = {**{k: v for k, v in conf.items() if not k.startswith(_KUBERNETES_ONLY)}, **LOCAL_CONF}
    for key, value in merged.items():
        command += ["--conf", f"{key}={value}"]
    if jars:
        # On the launch classpath, so that spark-submit itself can fetch an s3a:// app.
        command += ["--driver-class-path", os.pathsep.join(str(j) for j in jars)]
    command += [app, *args]
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
