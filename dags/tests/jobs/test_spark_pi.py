"""The pi job that both Spark paths run, on a real local Spark."""

from __future__ import annotations

import json
import math

import spark_pi


def test_the_estimate_is_close_to_pi_and_counts_every_sample(spark):
    result = spark_pi.estimate(spark, partitions=4, samples_per_partition=25_000)

    assert result["samples"] == 100_000
    assert result["partitions"] == 4
    assert 0 < result["inside"] < result["samples"]
    assert result["pi"] == 4.0 * result["inside"] / result["samples"]
    assert abs(result["pi"] - math.pi) < 0.05


def test_the_result_is_written_as_one_json_object_for_the_dag_to_check(spark, tmp_path, capsys):
    out = tmp_path / "result"
    argv = ["--partitions", "2", "--samples-per-partition", "1000", "--output", str(out)]

    assert spark_pi.run(argv, stop_spark=False) == 0

    files = list(out.glob("part-*.json"))
    assert len(files) == 1
    written = json.loads(files[0].read_text())
    assert written["samples"] == 2000
    assert written["partitions"] == 2
    assert written["pi"] == 4.0 * written["inside"] / 2000
    assert "Pi is roughly" in capsys.readouterr().out


def test_bad_arguments_exit_non_zero(capsys):
    assert spark_pi.run(["--partitions", "0"], stop_spark=False) == 2
    assert "'0' is not a positive whole number" in capsys.readouterr().err
