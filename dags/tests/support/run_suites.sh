#!/bin/sh
# Runs both test suites whatever the first one's result: a failure in the Spark 4 suite must not
# skip the Spark 3.5 suite (Livy's Spark) without a word. Exits non-zero when either failed, and says
# which. (Used by `pnpm test` in dags/, after the environments are synced.)
uv run --frozen pytest -ra
main=$?
UV_PROJECT_ENVIRONMENT=.venv-spark35 uv run --frozen --only-group spark35 pytest tests/jobs -p no:cacheprovider -ra
spark35=$?
if [ "$main" -ne 0 ] || [ "$spark35" -ne 0 ]; then
  echo "dags tests failed: main suite exit $main, Spark 3.5 suite exit $spark35 (see each suite's summary above)" >&2
  exit 1
fi
