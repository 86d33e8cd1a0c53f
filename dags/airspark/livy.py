"""LivyOperator that records where this attempt's batch writes its result.

Livy reports a batch as ``success`` whenever the driver exits 0 (on Kubernetes: the
driver pod's phase), so a DAG must check what the job wrote. That check is only sound if
it reads what *this* attempt wrote: a rerun of the same run (a retry, a cleared task, a
run deleted and triggered again with the same id) must not pass on output an earlier
attempt left. So this operator empties the attempt's result folder before submitting
(the DAG also keys the folder to the attempt, ``try-{{ ti.try_number }}``, which a
re-created run starts again at 1), and pushes the folder as XCom ``result_folder`` for
the check to read. It also adds a run's own Spark properties (``extra_conf``, a JSON
object rendered from a param) to the batch's conf. Everything else is the unmodified
LivyOperator.
"""

from __future__ import annotations

from collections.abc import Sequence

from airflow.providers.apache.livy.operators.livy import LivyOperator
from airflow.sdk.exceptions import AirflowFailException


class LivyBatchOperator(LivyOperator):
    """
    :param result_folder: (templated) ``s3a://bucket/prefix/`` where this attempt's batch
        writes its result; emptied before the batch is submitted.
    :param aws_conn_id: the connection to S3 that empties it.
    :param extra_conf: (templated) Spark properties added over ``conf``: a dict, or a JSON
        object as text (what ``{{ params.spark_conf | tojson }}`` renders to). The
        environment's node selectors still replace the placement keys; the platform's
        Livy refuses the properties it blocks (spark-blacklist.conf) with a 400.
    """

    template_fields: Sequence[str] = (*LivyOperator.template_fields, "result_folder", "extra_conf")

    def __init__(
        self,
        *,
        result_folder: str,
        aws_conn_id: str = "aws_default",
        extra_conf: dict[str, str] | str | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.result_folder = result_folder
        self.aws_conn_id = aws_conn_id
        self.extra_conf = extra_conf

    def execute(self, context):
        # The environment's own placement (Variable spark_node_selectors, ADR 0057) in place
        # of the Karpenter pools' the DAG put in conf.
        from airspark.platform import ConfigurationError, node_selectors, with_node_selectors

        try:
            driver, executor = node_selectors()
        except ConfigurationError as err:
            raise AirflowFailException(str(err)) from None
        conf = {**(self.spark_params.get("conf") or {}), **self._extra_conf()}
        self.spark_params["conf"] = with_node_selectors(conf, driver, executor)
        self._empty_result_folder()
        context["ti"].xcom_push(key="result_folder", value=self.result_folder)
        return super().execute(context)

    def _extra_conf(self) -> dict[str, str]:
        import json

        extra = self.extra_conf
        if isinstance(extra, str):
            try:
                extra = json.loads(extra) if extra.strip() else {}
            except ValueError as err:
                raise AirflowFailException(f"extra_conf is not a JSON object: {err}") from None
        extra = extra or {}
        if not isinstance(extra, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in extra.items()):
            raise AirflowFailException(f"extra_conf must map Spark property names to strings, got {extra!r}")
        if extra:
            self.log.info("Adding the run's Spark properties: %s", sorted(extra))
        return extra

    def _empty_result_folder(self) -> None:
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        bucket, _, prefix = self.result_folder.removeprefix("s3a://").partition("/")
        if not self.result_folder.startswith("s3a://") or not bucket or not prefix.endswith("/"):
            raise AirflowFailException(f"result_folder {self.result_folder!r} is not of the form s3a://bucket/prefix/")
        hook = S3Hook(aws_conn_id=self.aws_conn_id)
        # Deepest keys first: folder entries (keys ending in "/", which s3a leaves) after what is
        # in them, for servers that refuse to delete a folder entry that still holds objects
        # (versitygw's posix backend, the local S3).
        stale = deepest_first(hook.list_keys(bucket, prefix=prefix) or [])
        if stale:
            hook.delete_objects(bucket, stale)
            self.log.info("Removed %d objects an earlier attempt left under %s", len(stale), self.result_folder)

    def execute_complete(self, context, event):
        # A deferred task resumes in a new process: push again, from the same attempt.
        context["ti"].xcom_push(key="result_folder", value=self.result_folder)
        return super().execute_complete(context, event)


def deepest_first(keys: list[str]) -> list[str]:
    """S3 keys ordered so that every folder entry ("a/b/") comes after the keys inside it."""
    return sorted(keys, key=lambda k: (-k.rstrip("/").count("/"), k))
