"""Convert one month of Citibike trip CSVs to Parquet, partitioned by year and month.

    citibike_csv_to_parquet.py --input URI --output URI --year YYYY --month M

``--input`` is the folder holding that month's CSV files (one or more parts);
``--output`` is the Parquet root, written as ``<output>/year=YYYY/month=M/``.
A rerun of a month replaces that month's partition and no other (dynamic partition
overwrite). ``year``/``month`` come from the archive the DAG downloaded, not from
``started_at``: a ride that starts on the last evening of the previous month stays
in its archive's partition, so a rerun never touches a neighbouring month.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from jobkit import JobError, month_arguments, run, spark_session

# The trip schema Citibike publishes since February 2021, in file order.
TRIP_COLUMNS = (
    "ride_id",
    "rideable_type",
    "started_at",
    "ended_at",
    "start_station_name",
    "start_station_id",
    "end_station_name",
    "end_station_id",
    "start_lat",
    "start_lng",
    "end_lat",
    "end_lng",
    "member_casual",
)
TIMESTAMP_COLUMNS = frozenset({"started_at", "ended_at"})
COORDINATE_COLUMNS = frozenset({"start_lat", "start_lng", "end_lat", "end_lng"})


def check_columns(found: Sequence[str], source: str) -> None:
    """Fail with a message that names what is missing or extra when a header differs."""
    if tuple(found) == TRIP_COLUMNS:
        return
    missing = [column for column in TRIP_COLUMNS if column not in found]
    unexpected = [column for column in found if column not in TRIP_COLUMNS]
    details = []
    if missing:
        details.append("missing " + ", ".join(missing))
    if unexpected:
        details.append("unexpected " + ", ".join(unexpected))
    if not details:
        details.append("the right columns in another order: " + ", ".join(found))
    raise JobError(
        f"{source}: the CSV columns do not match the Citibike trip schema (in use since 2021): "
        f"{'; '.join(details)}. Expected, in this order: {', '.join(TRIP_COLUMNS)}"
    )


def read_trips(spark, uri: str):
    """Read the month's CSV files as typed columns, checking every file's header."""
    from pyspark.errors import AnalysisException
    from pyspark.sql.types import StringType, StructField, StructType

    try:
        header = spark.read.option("header", True).csv(uri).columns
    except AnalysisException as err:
        raise JobError(f"{uri}: no readable CSV files ({_first_line(err)})") from None
    check_columns(header, uri)

    as_text = StructType([StructField(column, StringType()) for column in TRIP_COLUMNS])
    raw = (
        spark.read.schema(as_text)
        .option("header", True)
        # With enforceSchema off Spark checks the header of every file, not only the
        # first one that check_columns saw, and fails the read on a mismatch.
        .option("enforceSchema", False)
        .option("mode", "FAILFAST")
        .csv(uri)
    )
    # try_cast keeps Spark 3.5 (ANSI off) and 4.0 (ANSI on) alike: a value that does not
    # parse becomes null instead of failing one version and not the other. The times are
    # New York wall-clock times without a zone, hence TIMESTAMP_NTZ.
    return raw.select(*[_typed(column) for column in TRIP_COLUMNS])


def convert(spark, *, input_uri: str, output_uri: str, year: int, month: int) -> int:
    """Write the month as Parquet and return the number of trips written."""
    from pyspark.sql import functions as F

    trips = read_trips(spark, input_uri)
    if not trips.take(1):
        # Dynamic overwrite of zero rows would leave an older copy of the month in place.
        raise JobError(f"{input_uri}: the CSV files hold no trips; nothing was written")
    (
        trips.withColumn("year", F.lit(year))
        .withColumn("month", F.lit(month))
        .write.mode("overwrite")
        .option("partitionOverwriteMode", "dynamic")
        .partitionBy("year", "month")
        .parquet(output_uri)
    )
    written = spark.read.parquet(partition_uri(output_uri, year, month))
    count = written.count()
    unparsed = written.where(F.col("started_at").isNull() | F.col("ended_at").isNull()).count()
    print(f"wrote {count} trips for {year}-{month:02d} to {partition_uri(output_uri, year, month)}")
    if unparsed:
        print(f"warning: {unparsed} trips have a start or end time that is not a timestamp", file=sys.stderr)
    return count


def partition_uri(root: str, year: int, month: int) -> str:
    return f"{root.rstrip('/')}/year={year}/month={month}"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True, help="folder of the month's CSV files")
    parser.add_argument("--output", required=True, help="Parquet root folder")
    month_arguments(parser)
    args = parser.parse_args(argv)
    spark = spark_session("citibike-csv-to-parquet")
    convert(spark, input_uri=args.input, output_uri=args.output, year=args.year, month=args.month)


def _typed(column: str):
    from pyspark.sql import functions as F

    if column in TIMESTAMP_COLUMNS:
        return F.expr(f"try_cast({column} AS TIMESTAMP_NTZ)").alias(column)
    if column in COORDINATE_COLUMNS:
        return F.expr(f"try_cast({column} AS DOUBLE)").alias(column)
    return F.col(column)


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


if __name__ == "__main__":
    sys.exit(run(main))
