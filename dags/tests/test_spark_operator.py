"""SparkApplicationOperator: the provider's own execute, with a clear reason when nothing starts.

Stand-in, only where the real thing cannot run in this test: the Kubernetes API server and
the Spark Operator, replaced by a scripted API client that answers the calls the unmodified
provider makes (create the SparkApplication, read its status, list and read pods, delete).
The real controller's SUBMISSION_FAILED and the missing-controller case run in ``pnpm e2e``
(spark-operator-submission-failure).
"""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from kubernetes.client.rest import ApiException

from airspark.spark_operator import SparkApplicationNotStarted, SparkApplicationOperator, StatusCheckingLauncher
from tests.conftest import BUNDLE

SUBMISSION_ERROR = (
    'failed to run spark-submit: Exception in thread "main" java.lang.NumberFormatException: '
    "Size must be specified as bytes (b), kibibytes (k)... Failed to parse byte string: 512x"
)


class ScriptedSparkApi:
    """Answers the provider's CustomObjectsApi and CoreV1Api calls from a list of statuses."""

    def __init__(self, statuses: list[dict]):
        self.statuses = list(statuses)
        self.created: list[dict] = []
        self.deleted: list[str] = []
        self.status_reads = 0

    # CustomObjectsApi
    def create_namespaced_custom_object(self, *, group, version, namespace, plural, body):
        self.created.append(body)
        return body

    def get_namespaced_custom_object_status(self, *, group, version, namespace, name, plural):
        self.status_reads += 1
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return {"metadata": {"name": name, "namespace": namespace}, **status}

    def delete_namespaced_custom_object(self, *, group, version, namespace, plural, name):
        self.deleted.append(name)

    # CoreV1Api: no driver pod exists
    def list_namespaced_pod(self, namespace, **kwargs):
        return SimpleNamespace(items=[])

    def read_namespaced_pod(self, name, namespace, **kwargs):
        raise ApiException(status=404, reason=f'pods "{name}" not found')


def state(name: str, error: str | None = None, *, submitted: bool = False) -> dict:
    """A status as the v2.5.2 controller writes it: the driver pod is named before spark-submit
    runs, executionAttempts counts only submissions that succeeded."""
    application_state = {"state": name} | ({"errorMessage": error} if error else {})
    status = {"applicationState": application_state, "driverInfo": {"podName": "pyspark-pi-driver"}}
    return {"status": status | ({"executionAttempts": 1} if submitted else {})}


def operator_with(api: ScriptedSparkApi, **kwargs) -> SparkApplicationOperator:
    operator = SparkApplicationOperator(
        task_id="estimate_pi",
        application_file=str(BUNDLE / "spark_apps" / "pyspark-pi.yaml"),
        namespace="spark-team-a",
        **kwargs,
    )
    # The provider's cached Kubernetes clients, pointed at the scripted API.
    operator.client = api
    operator.custom_obj_api = api
    return operator


def context() -> dict:
    ti = SimpleNamespace(dag_id="pyspark_pi", task_id="estimate_pi", try_number=1, map_index=-1)
    return {"ti": ti, "task_instance": ti, "run_id": "manual__2026-12-03T00:00:00+00:00", "dag": SimpleNamespace()}


def test_a_submission_failure_fails_the_task_with_the_spark_operators_error_message():
    api = ScriptedSparkApi([state("SUBMISSION_FAILED", SUBMISSION_ERROR)])
    operator = operator_with(api)

    with pytest.raises(SparkApplicationNotStarted) as failure:
        operator.execute(context())

    (application,) = api.created
    name = application["metadata"]["name"]
    assert name.startswith("pyspark-pi-")
    message = str(failure.value)
    assert f"could not submit SparkApplication spark-team-a/{name} (state SUBMISSION_FAILED, no driver pod)" in message
    assert "Failed to parse byte string: 512x" in message
    assert "404" not in message
    assert api.deleted == [name], "the application that never started is removed"


def test_a_submission_failure_the_operator_already_marked_failed_is_still_named_a_submission_failure():
    # The real v2.5.2 controller moves SUBMISSION_FAILED to FAILED (restartPolicy Never) within
    # seconds, usually before the provider's next poll (seen on the local cluster).
    api = ScriptedSparkApi([state("FAILED", f"failed to submit spark application: {SUBMISSION_ERROR}")])

    with pytest.raises(SparkApplicationNotStarted) as failure:
        operator_with(api).execute(context())

    assert "(state FAILED, no driver pod)" in str(failure.value)
    assert "Failed to parse byte string: 512x" in str(failure.value)


def test_without_a_spark_operator_the_task_fails_naming_it_once_the_application_has_no_status_in_time():
    api = ScriptedSparkApi([{}])  # nothing ever writes a status
    operator = operator_with(api, no_status_timeout=timedelta(0))

    with pytest.raises(SparkApplicationNotStarted) as failure:
        operator.execute(context())

    (application,) = api.created
    name = application["metadata"]["name"]
    assert f"SparkApplication spark-team-a/{name} got no status within 0 s" in str(failure.value)
    assert "no Spark Operator is handling namespace spark-team-a" in str(failure.value)
    assert api.deleted == [name], "the orphaned application is removed"


def test_an_application_without_status_is_waited_for_until_the_operator_picks_it_up():
    # Once a state exists the provider's own check reads the status again: two reads a poll.
    api = ScriptedSparkApi(
        [{}, {"status": {}}, *[state("SUBMITTED", submitted=True)] * 2, state("RUNNING", submitted=True)]
    )
    launcher = StatusCheckingLauncher(
        name="pyspark-pi-abc",
        namespace="spark-team-a",
        kube_client=api,
        custom_obj_api=api,
        template_body=operator_with(api).manage_template_specs(),
        no_status_timeout=timedelta(minutes=5),
    )
    spec = {"metadata": {"name": "pyspark-pi-abc"}}

    assert [launcher.spark_job_not_running(spec) for _ in range(3)] == [True, True, True]
    assert launcher.spark_job_not_running(spec) is False
    assert api.deleted == []


def test_a_failed_application_still_fails_with_the_providers_own_message():
    api = ScriptedSparkApi([state("FAILED", "driver container failed with ExitCode: 1", submitted=True)])
    operator = operator_with(api)

    with pytest.raises(Exception, match=r"Spark Job Failed\. Error stack: driver container failed with ExitCode: 1"):
        operator.execute(context())


def test_the_environments_spark_conf_variable_is_added_to_the_application(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_VAR_SPARK_CONF",
        '{"spark.hadoop.fs.s3a.endpoint": "http://s3.local:7070", "spark.eventLog.enabled": "false"}',
    )
    api = ScriptedSparkApi([state("SUBMISSION_FAILED", "stop here")])
    operator = operator_with(api)

    with pytest.raises(SparkApplicationNotStarted):
        operator.execute(context())

    (application,) = api.created
    conf = application["spec"]["sparkConf"]
    assert conf["spark.hadoop.fs.s3a.endpoint"] == "http://s3.local:7070"
    assert conf["spark.eventLog.enabled"] == "false", "the environment's value wins over the template's"
    assert conf["spark.decommission.enabled"] == "true", "the template's other properties stay"


@pytest.mark.parametrize("value", ["not json", '["a"]', '{"spark.executor.instances": 2}'])
def test_a_spark_conf_variable_that_is_not_an_object_of_strings_fails_before_submitting(monkeypatch, value):
    monkeypatch.setenv("AIRFLOW_VAR_SPARK_CONF", value)
    api = ScriptedSparkApi([{}])
    operator = operator_with(api)

    with pytest.raises(Exception, match="Variable spark_conf"):
        operator.execute(context())

    assert api.created == []


def test_an_environments_hadoop_property_replaces_the_templates_hadoop_conf(monkeypatch):
    provider = "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider"
    monkeypatch.setenv("AIRFLOW_VAR_SPARK_CONF", f'{{"spark.hadoop.fs.s3a.aws.credentials.provider": "{provider}"}}')
    api = ScriptedSparkApi([state("SUBMISSION_FAILED", "stop here")])

    with pytest.raises(SparkApplicationNotStarted):
        operator_with(api).execute(context())

    (application,) = api.created
    assert application["spec"]["sparkConf"]["spark.hadoop.fs.s3a.aws.credentials.provider"] == provider
    assert "fs.s3a.aws.credentials.provider" not in (application["spec"].get("hadoopConf") or {})


def test_the_environments_node_selectors_replace_the_karpenter_pools(monkeypatch):
    stand_in = {"airspark.dev/karpenter-stand-in": "spark"}
    monkeypatch.setenv(
        "AIRFLOW_VAR_SPARK_NODE_SELECTORS", '{"driver": %s, "executor": %s}' % ((json.dumps(stand_in),) * 2)
    )
    api = ScriptedSparkApi([state("SUBMISSION_FAILED", "stop here")])

    with pytest.raises(SparkApplicationNotStarted):
        operator_with(api).execute(context())

    (application,) = api.created
    assert application["spec"]["driver"]["nodeSelector"] == stand_in
    assert application["spec"]["executor"]["nodeSelector"] == stand_in
    assert application["spec"]["driver"]["annotations"] == {"karpenter.sh/do-not-disrupt": "true"}


def test_a_malformed_node_selectors_variable_fails_before_submitting(monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_SPARK_NODE_SELECTORS", '{"driver": {"a": "b"}}')
    api = ScriptedSparkApi([{}])

    with pytest.raises(Exception, match="Variable spark_node_selectors needs"):
        operator_with(api).execute(context())

    assert api.created == []
