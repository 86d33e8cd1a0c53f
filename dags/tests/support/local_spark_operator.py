"""A stand-in for the Spark Operator on Kubernetes, which cannot run on the test machine.

It replaces only ``SparkKubernetesOperator.execute``: the operator's own code renders the
template (Airflow's Jinja) and builds the SparkApplication it would create (name suffix,
namespace overwrite, resources), then this runs that application's main file, arguments
and Spark/Hadoop properties with spark-submit on local Spark. A non-zero driver exit
fails the task, as a failed driver pod does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from unittest.mock import patch

from airflow.providers.cncf.kubernetes.operators.custom_object_launcher import CustomObjectLauncher
from airflow.providers.cncf.kubernetes.operators.spark_kubernetes import SparkKubernetesOperator
from airflow.sdk.exceptions import AirflowException

from tests.support.spark_submit import spark_submit

IMAGE_JOBS = "local:///opt/airspark/jobs/"  # where image/Dockerfile copies jobs/


class LocalSparkOperator:
    def __init__(self, *, jobs_dir: Path, conf: Mapping[str, str], jars: Sequence[Path]):
        self.jobs_dir = jobs_dir
        self.conf = dict(conf)
        self.jars = list(jars)
        self.applications: list[dict] = []  # every SparkApplication the operator would create
        self.runs: list = []  # the spark-submit results, in order

    @contextmanager
    def installed(self) -> Iterator[LocalSparkOperator]:
        stand_in = self

        def execute(operator: SparkKubernetesOperator, context):
            return stand_in.run(operator)

        with patch.object(SparkKubernetesOperator, "execute", execute):
            yield self

    def run(self, operator: SparkKubernetesOperator) -> None:
        launcher = CustomObjectLauncher(
            name=operator.create_job_name(),
            namespace=operator.namespace,
            kube_client=None,
            custom_obj_api=None,
            template_body=operator.manage_template_specs(),
        )
        application = launcher.body
        self.applications.append(application)
        spec = application["spec"]
        main = spec["mainApplicationFile"]
        if not main.startswith(IMAGE_JOBS):
            raise AirflowException(f"{main} is not a job of the airspark image ({IMAGE_JOBS}...)")
        app_file = self.jobs_dir / main.removeprefix(IMAGE_JOBS)
        if not app_file.is_file():
            raise AirflowException(f"{main}: no such job in {self.jobs_dir}")
        conf = {**spec.get("sparkConf", {})}
        conf.update({f"spark.hadoop.{k}": v for k, v in spec.get("hadoopConf", {}).items()})
        conf.update(self.conf)  # the local endpoint and test credentials replace Pod Identity
        done = spark_submit(str(app_file), [str(a) for a in spec.get("arguments", [])], conf, self.jars)
        self.runs.append(done)
        # spark-submit merges the Python driver's stderr into its stdout.
        output = (done.stdout + done.stderr).splitlines()
        for line in output:
            operator.log.info("driver: %s", line)
        if done.returncode != 0:
            reasons = [line for line in output if line.startswith("error:")] or output[-5:]
            raise AirflowException(
                f"Spark application {application['metadata']['name']} failed: the driver exited "
                f"{done.returncode}: " + " | ".join(reasons)
            )
