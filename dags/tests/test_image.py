"""image/Dockerfile agrees with what the tests run: Spark, Hadoop, jars, paths, user."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pyspark
import pytest
import yaml

from tests.conftest import BUNDLE
from tests.support.jars import image_jars, livy_image_jars
from tests.support.local_spark_operator import IMAGE_JOBS

DOCKERFILE = (BUNDLE / "image" / "Dockerfile").read_text()


def test_the_base_image_is_the_spark_of_the_locked_pyspark():
    (base,) = re.findall(r"^FROM (\S+)", DOCKERFILE, re.M)
    assert base == f"apache/spark:{version('pyspark')}-scala2.13-java17-python3-ubuntu"


def test_hadoop_aws_matches_the_hadoop_that_spark_ships():
    bundled = {p.name for p in (Path(pyspark.__file__).parent / "jars").glob("hadoop-client-api-*.jar")}
    (hadoop,) = [re.search(r"hadoop-client-api-(.+)\.jar", n).group(1) for n in bundled]
    names = [jar.name for jar in image_jars()]
    assert f"hadoop-aws-{hadoop}.jar" in names
    assert any(re.fullmatch(r"bundle-2\.\d+\.\d+\.jar", n) for n in names), "s3a in Hadoop 3.4 needs the SDK v2 bundle"
    assert all(jar.url.startswith("https://repo1.maven.org/maven2/") for jar in image_jars())


def test_the_jobs_land_where_the_templates_look_for_them():
    assert re.search(r"^COPY --chmod=0644 jobs/\*\.py /opt/airspark/jobs/$", DOCKERFILE, re.M)
    assert IMAGE_JOBS == "local:///opt/airspark/jobs/"


def test_the_image_runs_as_the_non_root_user_the_templates_declare():
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert users[-1] == "185"


def test_the_build_context_sends_the_jobs_only():
    assert (BUNDLE / ".dockerignore").read_text().split("\n")[-3:] == ["*", "!jobs/*.py", ""]


# The recipes of the local images (`pnpm images build`) mirror the Dockerfiles for users.
REPO = BUNDLE.parent
JOBS_RECIPE = yaml.safe_load((BUNDLE / "image" / "image.yaml").read_text())
LIVY_RECIPE = yaml.safe_load((REPO / "apps" / "livy" / "image" / "image.yaml").read_text())
OPERATOR_RECIPE = yaml.safe_load((REPO / "apps" / "spark-operator" / "image" / "image.yaml").read_text())


def recipe_text(recipe: dict) -> str:
    return "\n".join(step["run"] for step in recipe["steps"] if "run" in step)


def pip_packages(recipe: dict) -> list[str]:
    return [p for step in recipe["steps"] if "pip" in step for p in step["pip"]["packages"]]


def test_the_local_jobs_image_has_the_dockerfiles_spark_jars_jobs_and_user():
    assert pip_packages(JOBS_RECIPE) == [f"pyspark=={version('pyspark')}"]
    for jar in image_jars():
        assert jar.url in recipe_text(JOBS_RECIPE)
        assert f"{jar.sha256}  {jar.name}" in recipe_text(JOBS_RECIPE)
    assert {"copy": {"from": "../jobs", "to": IMAGE_JOBS.removeprefix("local://").rstrip("/")}} in JOBS_RECIPE["steps"]
    assert JOBS_RECIPE["config"]["user"] == "185"
    assert JOBS_RECIPE["config"]["env"]["SPARK_HOME"] == "/opt/spark"
    assert 'mv "$site/pyspark" /opt/spark' in recipe_text(JOBS_RECIPE)


def test_the_local_livy_image_has_spark_35_and_the_livy_dockerfiles_jars():
    lock = (BUNDLE / "uv.lock").read_text()
    assert re.search(r'name = "pyspark"\nversion = "3\.5\.6"', lock)
    assert pip_packages(LIVY_RECIPE) == ["pyspark==3.5.6"]
    for jar in livy_image_jars():
        assert jar.url in recipe_text(LIVY_RECIPE)
        assert f"{jar.sha256}  {jar.name}" in recipe_text(LIVY_RECIPE)
    assert LIVY_RECIPE["config"]["user"] == "185"
    assert LIVY_RECIPE["config"]["env"]["LIVY_HOME"] == "/opt/livy"


@pytest.mark.parametrize("recipe", [JOBS_RECIPE, LIVY_RECIPE], ids=["spark-jobs", "livy"])
def test_the_local_spark_images_start_drivers_executors_and_decommissioning_as_apache_spark_does(recipe):
    assert recipe["config"]["entrypoint"] == ["/opt/entrypoint.sh"]
    copied = {step["copy"]["to"] for step in recipe["steps"] if "copy" in step}
    assert {"/opt/entrypoint.sh", "/opt/decom.sh"} <= copied
    entrypoint = (BUNDLE / "image" / "entrypoint.sh").read_text()
    assert "driver)" in entrypoint
    assert "executor)" in entrypoint
    assert "org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend" in entrypoint


def test_the_local_operator_image_builds_the_charts_controller_version_with_the_spark_it_submits_with():
    (go,) = [step["go"] for step in OPERATOR_RECIPE["steps"] if "go" in step]
    environment = yaml.safe_load((REPO / "clusters" / "dev" / "environment.yaml").read_text())
    assert go["version"] == f"v{environment['components']['sparkOperator']['chartVersion']}"
    assert go["package"] == "github.com/kubeflow/spark-operator/v2/cmd/operator"
    assert go["to"] == "/usr/bin/spark-operator"
    assert pip_packages(OPERATOR_RECIPE) == [f"pyspark=={version('pyspark')}"]
    assert OPERATOR_RECIPE["config"]["user"] == "185"
