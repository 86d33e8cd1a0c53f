"""image/Dockerfile agrees with what the tests run: Spark, Hadoop, jars, paths, user."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pyspark

from tests.conftest import BUNDLE
from tests.support.jars import image_jars
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
