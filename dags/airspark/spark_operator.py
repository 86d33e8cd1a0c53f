"""SparkKubernetesOperator that says why a SparkApplication never started.

The provider (cncf-kubernetes 10.25.0) waits for the application after creating it in
``CustomObjectLauncher.start_spark_job``: it loops while the state is ``SUBMITTED`` (also
its default when the application has no status yet) and stops waiting on anything else.
Two ways it stays silent:

- ``SUBMISSION_FAILED`` (spark-submit refused the application: bad Spark property, missing
  ServiceAccount, quota...) ends the loop as if the driver had started; the task then fails
  looking for the driver pod, with ``404 pods "<name>-driver" not found``, and the
  operator's ``status.applicationState.errorMessage`` never reaches the log.
- No Spark Operator watching the namespace: the application never gets a status, the loop
  waits out ``startup_timeout_seconds`` and fails on the same 404.

:class:`SparkApplicationOperator` is the unmodified operator with a launcher that checks the
application's status on each of the provider's own polls and fails with the reason. It
changes nothing else: templates, reattachment, log following and deferral are upstream's.

It also adds the environment's own Spark properties, if any, to every application: the
Airflow Variable ``spark_conf`` (JSON object of strings; unset on AWS, where the templates
carry everything) is merged into ``spec.sparkConf``. A local cluster uses it for what only
it needs, such as the s3a endpoint and keys of its S3 server; a ``spark.hadoop.<key>`` there
also replaces the template's ``hadoopConf`` ``<key>`` (the Spark Operator passes hadoopConf
after sparkConf, so the template's would win otherwise). And an environment without
Karpenter's NodePools gives the driver and executors its own nodeSelectors in the Variable
``spark_node_selectors`` (``airspark.platform.node_selectors``, ADR 0057).
"""

from __future__ import annotations

import time
from datetime import timedelta

from airflow.providers.cncf.kubernetes.operators.custom_object_launcher import CustomObjectLauncher
from airflow.providers.cncf.kubernetes.operators.spark_kubernetes import SparkKubernetesOperator
from airflow.sdk.exceptions import AirflowException

from airspark.platform import ConfigurationError, node_selectors

# Spark Operator v2 application states that end an application before its driver runs.
SUBMISSION_FAILED = "SUBMISSION_FAILED"
FAILED = "FAILED"
NO_STATUS_TIMEOUT = timedelta(minutes=3)
SPARK_CONF_VARIABLE = "spark_conf"


class SparkApplicationNotStarted(AirflowException):
    """The SparkApplication ended, or was never picked up, before its driver pod existed."""


class StatusCheckingLauncher(CustomObjectLauncher):
    """The provider's launcher, failing clearly on ``SUBMISSION_FAILED`` and on no status at all."""

    def __init__(self, *args, no_status_timeout: timedelta = NO_STATUS_TIMEOUT, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.no_status_timeout = no_status_timeout
        self._first_poll: float | None = None

    def spark_job_not_running(self, spark_obj_spec) -> bool:
        name = spark_obj_spec["metadata"]["name"]
        status = (
            self.custom_obj_api.get_namespaced_custom_object_status(
                group=self.api_group,
                version=self.api_version,
                namespace=self.namespace,
                name=name,
                plural=self.plural,
            ).get("status")
            or {}
        )
        application_state = status.get("applicationState") or {}
        state = application_state.get("state")
        # The operator turns SUBMISSION_FAILED into FAILED on its next reconcile when the
        # application may not be retried (restartPolicy Never), often before the provider's
        # next poll. It counts executionAttempts only for a submission that succeeded
        # (driverInfo.podName is set before spark-submit runs, so it says nothing): FAILED
        # with none is a submission that failed too.
        never_started = state == FAILED and not status.get("executionAttempts")
        if state == SUBMISSION_FAILED or never_started:
            reason = application_state.get("errorMessage") or "the Spark Operator gave no error message"
            # Nothing ran, so nothing is lost: the provider would leave it for timeToLiveSeconds.
            self.delete_spark_job(spark_job_name=name)
            raise SparkApplicationNotStarted(
                f"the Spark Operator could not submit SparkApplication {self.namespace}/{name} "
                f"(state {state}, no driver pod): {reason.strip()}"
            )
        if not state:
            if self._first_poll is None:
                self._first_poll = time.monotonic()
            waited = time.monotonic() - self._first_poll
            if waited >= self.no_status_timeout.total_seconds():
                self.log.warning("Deleting SparkApplication %s/%s that nothing picked up", self.namespace, name)
                self.delete_spark_job(spark_job_name=name)
                raise SparkApplicationNotStarted(
                    f"SparkApplication {self.namespace}/{name} got no status within "
                    f"{int(self.no_status_timeout.total_seconds())} s: no Spark Operator is handling namespace "
                    f"{self.namespace}. Check that the spark-operator controller runs (kubectl -n spark-operator "
                    f"get pods) and that its spark.jobNamespaces include {self.namespace}."
                )
            self.log.info("SparkApplication %s/%s has no status yet (%.0f s)", self.namespace, name, waited)
            return True
        return super().spark_job_not_running(spark_obj_spec)


class SparkApplicationOperator(SparkKubernetesOperator):
    """SparkKubernetesOperator whose task log says why an application did not start.

    :param no_status_timeout: how long a new SparkApplication may stay without any status
        before the task fails naming a missing Spark Operator as the likely cause.
    """

    def __init__(self, *, no_status_timeout: timedelta = NO_STATUS_TIMEOUT, **kwargs) -> None:
        super().__init__(**kwargs)
        self.no_status_timeout = no_status_timeout
        self._environment_spark_conf: dict[str, str] = {}
        self._node_selectors: tuple[dict[str, str], dict[str, str]] | None = None

    def execute(self, context):
        self._environment_spark_conf = environment_spark_conf()
        if self._environment_spark_conf:
            self.log.info("Adding the environment's Spark properties: %s", sorted(self._environment_spark_conf))
        try:
            self._node_selectors = node_selectors()
        except ConfigurationError as err:
            raise AirflowException(str(err)) from None
        return super().execute(context)

    def manage_template_specs(self):
        body = super().manage_template_specs()
        spec = body["spark"].setdefault("spec", {})
        if self._environment_spark_conf:
            spec["sparkConf"] = {**(spec.get("sparkConf") or {}), **self._environment_spark_conf}
            overridden = {
                k.removeprefix("spark.hadoop.") for k in self._environment_spark_conf if k.startswith("spark.hadoop.")
            }
            if spec.get("hadoopConf"):
                spec["hadoopConf"] = {k: v for k, v in spec["hadoopConf"].items() if k not in overridden}
        if self._node_selectors is not None:
            driver, executor = self._node_selectors
            spec.setdefault("driver", {})["nodeSelector"] = driver
            spec.setdefault("executor", {})["nodeSelector"] = executor
        return body

    def get_or_create_spark_crd(self, launcher: CustomObjectLauncher, context):
        # The provider builds a plain CustomObjectLauncher right before this call; the same
        # application body goes to ours, which the provider then uses as self.launcher.
        checking = StatusCheckingLauncher(
            name=launcher.name,
            namespace=launcher.namespace,
            kube_client=launcher._client,
            custom_obj_api=launcher.custom_obj_api,
            template_body=launcher.template_body,
            no_status_timeout=self.no_status_timeout,
        )
        self.launcher = checking
        return super().get_or_create_spark_crd(checking, context)


def environment_spark_conf() -> dict[str, str]:
    """The Variable ``spark_conf`` (a JSON object of strings), or {} when unset. Read inside a task only."""
    import json

    from airflow.sdk import Variable

    text = Variable.get(SPARK_CONF_VARIABLE, default=None)
    if not text:
        return {}
    try:
        conf = json.loads(text)
    except ValueError as err:
        raise AirflowException(f"Variable {SPARK_CONF_VARIABLE} is not JSON ({err}): set it to an object") from None
    if not isinstance(conf, dict) or not all(isinstance(v, str) for v in conf.values()):
        raise AirflowException(
            f'Variable {SPARK_CONF_VARIABLE} must be a JSON object of strings, e.g. {{"spark.hadoop.fs.s3a.endpoint": '
            '"http://s3.local:7070"}'
        )
    return conf
