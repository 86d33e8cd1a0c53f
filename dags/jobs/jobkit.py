"""What every airspark PySpark job shares: one way to fail and one way to start Spark.

The Spark Operator and Livy on Kubernetes only see the driver's exit status, so a job
must turn every failure into a non-zero exit with a message a person can act on.
This module must keep to APIs that Spark 3.5 (Livy path) and 4.0 (operator path) share.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_BAD_INPUT = 2


class JobError(Exception):
    """A failure caused by the job's input or arguments: reported without a stack trace."""


def run(main: Callable[[list[str]], None], argv: Sequence[str] | None = None, *, stop_spark: bool = True) -> int:
    """Run a job's ``main`` and map its outcome to an exit status.

    ``JobError`` exits 2 with its message only; argparse usage errors keep argparse's own
    status (2); anything else exits 1 with the stack trace, since it is a bug or a Spark
    failure that the trace helps to explain.
    """
    try:
        main(list(sys.argv[1:] if argv is None else argv))
    except JobError as err:
        print(f"error: {err}", file=sys.stderr, flush=True)
        return EXIT_BAD_INPUT
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_UNEXPECTED
    except Exception:
        traceback.print_exc()
        print("error: the job failed unexpectedly (stack trace above)", file=sys.stderr, flush=True)
        return EXIT_UNEXPECTED
    finally:
        if stop_spark:
            _stop_active_spark()
    return EXIT_OK


def spark_session(app_name: str):
    """The job's SparkSession: the one spark-submit configured, or the caller's in tests."""
    from pyspark.sql import SparkSession

    return SparkSession.builder.appName(app_name).getOrCreate()


def month_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--year`` and ``--month``: the month a run processes, given by the DAG."""
    parser.add_argument("--year", type=_year, required=True, help="four-digit year, e.g. 2024")
    parser.add_argument("--month", type=_month, required=True, help="month number, 1 to 12")


def _year(text: str) -> int:
    if len(text) == 4 and text.isdigit():
        return int(text)
    raise argparse.ArgumentTypeError(f"{text!r} is not a four-digit year")


def _month(text: str) -> int:
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    raise argparse.ArgumentTypeError(f"{text!r} is not a month number from 1 to 12")


def _stop_active_spark() -> None:
    try:
        from pyspark.sql import SparkSession
    except ImportError:  # the job failed before Spark was even importable
        return
    session = SparkSession.getActiveSession()
    if session is not None:
        session.stop()
