#!/bin/bash
# Entrypoint of the locally built Spark Operator image, as upstream's (entrypoint.sh of
# kubeflow/spark-operator v2.5.2): the controller or webhook under tini.
set -eo pipefail
exec /usr/bin/tini -s -- /usr/bin/spark-operator "$@"
