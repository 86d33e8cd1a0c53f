#!/bin/bash
# Executor preStop hook of Spark on Kubernetes when spark.decommission.enabled is true: Spark
# puts `/opt/decom.sh` in the executor pod's lifecycle. Ask the executor JVM to decommission
# (SIGPWR: migrate its blocks, finish or hand over its tasks), then wait for it to exit so
# that Kubernetes does not kill it early; the pod's grace period still bounds the wait.
set -u
echo "decom.sh: asked to decommission at $(date -u +%FT%TZ)"
pid="$(pgrep -f KubernetesExecutorBackend | head -n 1 || true)"
if [ -z "$pid" ]; then
  echo "decom.sh: no executor JVM found"
  exit 0
fi
kill -s SIGPWR "$pid"
tail --pid="$pid" -f /dev/null
echo "decom.sh: executor $pid exited at $(date -u +%FT%TZ)"
