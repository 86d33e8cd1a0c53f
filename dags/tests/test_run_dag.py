"""tools/run_dag.py's arguments (the DAG runs it drives are covered by pnpm e2e)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tools import run_dag


def test_a_logical_date_needs_its_utc_offset_so_a_rerun_names_the_same_run():
    assert run_dag._aware_datetime("2026-12-01T00:00:00Z") == datetime(2026, 12, 1, tzinfo=UTC)
    assert run_dag._aware_datetime("2026-12-01T01:00:00+01:00") == datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize(("text", "message"), [("2026-12-01", "no UTC offset"), ("yesterday", "not an ISO 8601")])
def test_a_bad_logical_date_is_a_usage_error(text, message, capsys):
    with pytest.raises(SystemExit) as exited:
        run_dag.main(["livy_spark_pi", "--logical-date", text])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
