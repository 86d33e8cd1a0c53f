"""Estimate pi with a Monte Carlo sample: the smoke test of both Spark paths.

    spark_pi.py [--partitions N] [--samples-per-partition S] [--output URI]

With ``--output`` the result is also written as one JSON object (pi, samples, inside,
partitions) so that a later task can check it: Livy on Kubernetes reports only the
driver's exit status, so the DAG verifies what the job wrote.

Self-contained on purpose: the Livy DAG uploads this one file for Livy to run.
Keep to APIs that Spark 3.5 (Livy) and 4.0 (Spark Operator) share.
"""

from __future__ import annotations

import argparse
import sys
import traceback


def estimate(spark, *, partitions: int, samples_per_partition: int, seed: int = 42) -> dict:
    from pyspark.sql import functions as F

    samples = partitions * samples_per_partition
    points = spark.range(0, samples, 1, partitions).select(
        (F.rand(seed) * 2 - 1).alias("x"), (F.rand(seed + 1) * 2 - 1).alias("y")
    )
    inside = points.where(F.col("x") * F.col("x") + F.col("y") * F.col("y") <= 1).count()
    return {"pi": 4.0 * inside / samples, "samples": samples, "inside": inside, "partitions": partitions}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partitions", type=_positive, default=10)
    parser.add_argument("--samples-per-partition", type=_positive, default=100_000)
    parser.add_argument("--output", help="folder to write the result to as JSON (overwritten)")
    args = parser.parse_args(argv)

    from pyspark.sql import Row, SparkSession

    spark = SparkSession.builder.appName("spark-pi").getOrCreate()
    result = estimate(spark, partitions=args.partitions, samples_per_partition=args.samples_per_partition)
    print(f"Pi is roughly {result['pi']:.5f} ({result['inside']} of {result['samples']} samples inside)")
    if args.output:
        spark.createDataFrame([Row(**result)]).coalesce(1).write.mode("overwrite").json(args.output)
        print(f"wrote the result to {args.output}")


def run(argv: list[str] | None = None, *, stop_spark: bool = True) -> int:
    """Exit 0 on success, argparse's 2 on bad arguments, 1 with a stack trace otherwise."""
    try:
        main(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except Exception:
        traceback.print_exc()
        print("error: the job failed (stack trace above)", file=sys.stderr, flush=True)
        return 1
    finally:
        if stop_spark:
            from pyspark.sql import SparkSession

            active = SparkSession.getActiveSession()
            if active is not None:
                active.stop()
    return 0


def _positive(text: str) -> int:
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")


if __name__ == "__main__":
    sys.exit(run())
