"""Names the platform gives the DAGs: Spark namespace, connections, variables, placement.

These mirror the cluster: the Spark team namespace and its ServiceAccount come from the
spark-operator app, the node labels from the Karpenter NodePools. Change them together.
"""

from __future__ import annotations

import re

SPARK_NAMESPACE = "spark-team-a"
SPARK_SERVICE_ACCOUNT = "spark"

KUBERNETES_CONN_ID = "kubernetes_default"
LIVY_CONN_ID = "livy_default"
AWS_CONN_ID = "aws_default"

# Airflow Variables (or AIRFLOW_VAR_<NAME> environment variables) the platform sets.
DATA_BUCKET_VARIABLE = "airspark_data_bucket"
# Read by the SparkApplication templates as {{ var.value.spark_job_image }}.
JOB_IMAGE_VARIABLE = "spark_job_image"

# Karpenter NodePools label their nodes NodeGroupType=<pool>. Drivers must not be
# interrupted (losing the driver loses the application), so they ask for on-demand
# capacity and tell Karpenter not to disrupt them; executors may run on spot.
DRIVER_NODE_SELECTOR = {"NodeGroupType": "spark-driver", "karpenter.sh/capacity-type": "on-demand"}
EXECUTOR_NODE_SELECTOR = {"NodeGroupType": "spark-executor"}
DRIVER_ANNOTATIONS = {"karpenter.sh/do-not-disrupt": "true"}
# An environment without those NodePools (the local single-node cluster) names its own
# nodeSelectors in this Variable, a JSON object {"driver": {...}, "executor": {...}}; the
# Spark operators put them in place of the pools' (docs/adr/0057-spark-placement-per-environment.md).
NODE_SELECTORS_VARIABLE = "spark_node_selectors"

_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


class ConfigurationError(ValueError):
    """The platform did not give a run what it needs; the message says what to set."""


def spark_submit_placement_conf() -> dict[str, str]:
    """Spark properties that place a spark-submit'ted application like the templates do.

    Used where no SparkApplication exists (Livy batches): Spark itself turns these into
    the driver and executor pods' nodeSelector and annotations. The ServiceAccount is not
    among them: the platform's Livy sets it (``spark`` of the team namespace) and refuses a
    batch that names one (spark-blacklist.conf, so that no batch can borrow another
    account; seen on the local cluster: "Blacklisted configuration values in session
    config: spark.kubernetes.authenticate.driver.serviceAccountName").
    """
    conf = {"spark.kubernetes.namespace": SPARK_NAMESPACE}
    conf.update({f"spark.kubernetes.driver.node.selector.{k}": v for k, v in DRIVER_NODE_SELECTOR.items()})
    conf.update({f"spark.kubernetes.executor.node.selector.{k}": v for k, v in EXECUTOR_NODE_SELECTOR.items()})
    conf.update({f"spark.kubernetes.driver.annotation.{k}": v for k, v in DRIVER_ANNOTATIONS.items()})
    return conf


def node_selectors() -> tuple[dict[str, str], dict[str, str]]:
    """The driver's and the executors' nodeSelector: the Variable ``spark_node_selectors``, else the pools'.

    Call it inside a task only: it reads a Variable, which is I/O.
    """
    import json

    from airflow.sdk import Variable

    text = Variable.get(NODE_SELECTORS_VARIABLE, default=None)
    if not text:
        return dict(DRIVER_NODE_SELECTOR), dict(EXECUTOR_NODE_SELECTOR)
    try:
        value = json.loads(text)
    except ValueError as err:
        raise ConfigurationError(f"Variable {NODE_SELECTORS_VARIABLE} is not JSON ({err})") from None
    selectors = []
    for role in ("driver", "executor"):
        selector = value.get(role) if isinstance(value, dict) else None
        if not isinstance(selector, dict) or not selector or not all(isinstance(v, str) for v in selector.values()):
            raise ConfigurationError(
                f"Variable {NODE_SELECTORS_VARIABLE} needs a non-empty object of strings under {role!r}, e.g. "
                '{"driver": {"NodeGroupType": "spark-driver"}, "executor": {"NodeGroupType": "spark-executor"}}'
            )
        selectors.append(dict(selector))
    return selectors[0], selectors[1]


def with_node_selectors(conf: dict[str, str], driver: dict[str, str], executor: dict[str, str]) -> dict[str, str]:
    """``conf`` with its driver and executor node selector properties replaced by these."""
    prefixes = ("spark.kubernetes.driver.node.selector.", "spark.kubernetes.executor.node.selector.")
    kept = {k: v for k, v in conf.items() if not k.startswith(prefixes)}
    kept.update({f"{prefixes[0]}{k}": v for k, v in driver.items()})
    kept.update({f"{prefixes[1]}{k}": v for k, v in executor.items()})
    return kept


def data_bucket(override: str | None) -> str:
    """The bucket a run uses: the run's ``bucket`` param, else the platform's Variable.

    Call it inside a task only: it reads a Variable, which is I/O.
    """
    bucket = override
    if not bucket:
        from airflow.sdk import Variable

        bucket = Variable.get(DATA_BUCKET_VARIABLE, default=None)
    if not bucket:
        raise ConfigurationError(
            f"no data bucket: set the Airflow Variable {DATA_BUCKET_VARIABLE} "
            f"(or AIRFLOW_VAR_{DATA_BUCKET_VARIABLE.upper()}), or trigger the run with the param 'bucket'"
        )
    if not _BUCKET_NAME.match(bucket) or ".." in bucket:
        raise ConfigurationError(f"{bucket!r} is not an S3 bucket name (3-63 of a-z, 0-9, '.', '-')")
    return bucket


def run_key(run_id: str) -> str:
    """A run id made safe for S3 keys and Hadoop paths (':' and '+' break s3a URIs)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id).strip("_")
