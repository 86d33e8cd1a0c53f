"""The SparkApplication templates: valid v1beta2, placed and sized as the platform needs.

The TypeScript validator checks them against the CRD schema; these tests hold the
bundle's own rules and the links between templates, DAGs, jobs and the image.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from airflow.providers.cncf.kubernetes.operators.spark_kubernetes import SparkKubernetesOperator

from airspark.platform import (
    DRIVER_ANNOTATIONS,
    DRIVER_NODE_SELECTOR,
    EXECUTOR_NODE_SELECTOR,
    SPARK_NAMESPACE,
    SPARK_SERVICE_ACCOUNT,
)
from tests.conftest import BUNDLE, JOBS
from tests.support.local_spark_operator import IMAGE_JOBS

TEMPLATES = sorted((BUNDLE / "spark_apps").glob("*.yaml"))
IMAGE = "{{ var.value.spark_job_image }}"
EVENT_LOG_DIR = "s3a://{{ var.value.spark_event_log_bucket }}/team-a/"
CONTAINER_CREDENTIALS = "software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider"


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def jinja_paths(node, path=""):
    """Where the template holds Jinja: only the image, the arguments and the event-log folder may."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from jinja_paths(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from jinja_paths(value, f"{path}[{index}]")
    elif isinstance(node, str) and ("{{" in node or "{%" in node):
        yield path


def test_there_are_templates():
    assert [t.name for t in TEMPLATES] == ["citibike-csv-to-parquet.yaml", "citibike-reports.yaml", "pyspark-pi.yaml"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_template_is_a_v1beta2_python_application_that_never_restarts_itself(template):
    app = load(template)
    assert app["apiVersion"] == "sparkoperator.k8s.io/v1beta2"
    assert app["kind"] == "SparkApplication"
    assert app["metadata"]["namespace"] == SPARK_NAMESPACE
    spec = app["spec"]
    assert spec["type"] == "Python"
    assert spec["mode"] == "cluster"
    assert spec["restartPolicy"] == {"type": "Never"}, "Airflow owns retries"
    assert spec["sparkVersion"] == version("pyspark"), (
        "the image's Spark, pyspark in uv.lock and sparkVersion move together"
    )
    assert spec["image"] == IMAGE, "the environment pins the image tag through the Variable"
    assert {p for p in jinja_paths(app) if not re.fullmatch(r"\.spec\.arguments\[\d+\]", p)} == {
        ".spec.image",
        ".spec.sparkConf.spark.eventLog.dir",
    }


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_event_logs_go_to_the_team_prefix_of_the_environments_event_log_bucket(template):
    spec = load(template)["spec"]
    assert spec["sparkConf"]["spark.eventLog.enabled"] == "true"
    # The bucket comes from the environment (storage.buckets.sparkEventLogs) as a Variable;
    # the team's Pod Identity role may write under its own prefix only.
    assert spec["sparkConf"]["spark.eventLog.dir"] == EVENT_LOG_DIR
    assert spec["hadoopConf"]["fs.s3a.aws.credentials.provider"] == CONTAINER_CREDENTIALS


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_executors_on_spot_are_decommissioned_gracefully_and_drivers_kept_from_disruption(template):
    spec = load(template)["spec"]
    for key in (
        "spark.decommission.enabled",
        "spark.storage.decommission.enabled",
        "spark.storage.decommission.rddBlocks.enabled",
        "spark.storage.decommission.shuffleBlocks.enabled",
    ):
        assert spec["sparkConf"][key] == "true", key
    assert spec["driver"]["annotations"]["karpenter.sh/do-not-disrupt"] == "true"
    assert "karpenter.sh/capacity-type" not in spec["executor"]["nodeSelector"], "executors may run on spot"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_template_runs_a_job_of_the_image(template):
    main = load(template)["spec"]["mainApplicationFile"]
    assert main.startswith(IMAGE_JOBS)
    assert (JOBS / main.removeprefix(IMAGE_JOBS)).is_file()


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_driver_on_demand_and_undisrupted_executors_on_the_executor_pool(template):
    spec = load(template)["spec"]
    assert spec["driver"]["nodeSelector"] == DRIVER_NODE_SELECTOR
    assert spec["driver"]["annotations"] == DRIVER_ANNOTATIONS
    assert spec["driver"]["serviceAccount"] == SPARK_SERVICE_ACCOUNT
    assert spec["executor"]["nodeSelector"] == EXECUTOR_NODE_SELECTOR
    # nodeSelector only: the operator's webhook drops affinity and tolerations when it fails.
    assert "affinity" not in spec["driver"]
    assert "tolerations" not in spec["driver"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
@pytest.mark.parametrize("role", ["driver", "executor"])
def test_pods_are_sized_and_run_as_non_root(template, role):
    pod = load(template)["spec"][role]
    # The operator turns cores into the CPU request, coreLimit into the CPU limit and
    # memory (+ overhead) into the memory request and limit.
    assert isinstance(pod["cores"], int)
    assert pod["cores"] >= 1
    assert pod["coreLimit"] == str(pod["cores"])
    assert re.fullmatch(r"\d+[mg]", pod["memory"])
    security = pod["securityContext"]
    assert security["runAsNonRoot"] is True
    assert security["runAsUser"] == 185
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    if role == "executor":
        assert pod["instances"] >= 1


@pytest.mark.parametrize("template", [t for t in TEMPLATES if t.name.startswith("citibike")], ids=lambda p: p.name)
def test_s3a_uses_the_pod_identity_credentials(template):
    assert load(template)["spec"]["hadoopConf"]["fs.s3a.aws.credentials.provider"] == CONTAINER_CREDENTIALS


def test_every_template_is_used_and_every_operator_has_a_template(bundle_dags):
    used = {
        task.application_file
        for dag in bundle_dags.values()
        for task in dag.tasks
        if isinstance(task, SparkKubernetesOperator)
    }
    # Airflow has already replaced each path with the file's text when loading the DAG.
    assert used == {template.read_text() for template in TEMPLATES}
