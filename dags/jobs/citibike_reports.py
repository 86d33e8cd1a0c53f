"""Compute the monthly Citibike reports with Spark SQL, one output folder per report.

    citibike_reports.py --input URI --output URI --year YYYY --month M [--top N]

``--input`` is the Parquet root written by citibike_csv_to_parquet.py; each report is
written as CSV with a header to ``<output>/<report>/year=YYYY/month=M/``. A rerun of a
month replaces that month's files of each report and no other month's.
"""

from __future__ import annotations

import argparse
import sys

from jobkit import JobError, month_arguments, run, spark_session

MONTH = "year = :year AND month = :month"


def _popular_stations(side: str) -> str:
    return f"""
        SELECT year, month, station_id, station_name, trips, rank FROM (
            SELECT year, month,
                   {side}_station_id AS station_id,
                   {side}_station_name AS station_name,
                   COUNT(*) AS trips,
                   ROW_NUMBER() OVER (
                       PARTITION BY year, month
                       ORDER BY COUNT(*) DESC, {side}_station_name, {side}_station_id
                   ) AS rank
            FROM trips
            WHERE {MONTH} AND {side}_station_name IS NOT NULL
            GROUP BY year, month, {side}_station_id, {side}_station_name
        ) WHERE rank <= :top
    """


# Report name (its output folder) -> Spark SQL over the view ``trips``.
REPORTS = {
    "ridership": f"SELECT year, month, COUNT(*) AS trips FROM trips WHERE {MONTH} GROUP BY year, month",
    "popular_start_stations": _popular_stations("start"),
    "popular_end_stations": _popular_stations("end"),
    "trips_by_member_and_rideable_type": f"""
        SELECT year, month, member_casual, rideable_type, COUNT(*) AS trips
        FROM trips WHERE {MONTH}
        GROUP BY year, month, member_casual, rideable_type
    """,
}


def compute(spark, *, input_uri: str, year: int, month: int, top: int) -> dict:
    """Return each report's DataFrame for the month; fail when the month has no trips."""
    from pyspark.errors import AnalysisException

    try:
        spark.read.parquet(input_uri).createOrReplaceTempView("trips")
    except AnalysisException as err:
        raise JobError(f"{input_uri}: no readable Parquet trips ({str(err).strip().splitlines()[0]})") from None
    params = {"year": year, "month": month, "top": top}
    reports = {name: spark.sql(query, args=params) for name, query in REPORTS.items()}
    if not reports["ridership"].take(1):
        raise JobError(f"{input_uri}: no trips for {year}-{month:02d}; convert that month to Parquet first")
    return reports


def write(reports: dict, output_uri: str) -> None:
    for name, frame in reports.items():
        (
            frame.coalesce(1)
            .write.mode("overwrite")
            .option("partitionOverwriteMode", "dynamic")
            .option("header", True)
            .partitionBy("year", "month")
            .csv(f"{output_uri.rstrip('/')}/{name}")
        )
        print(f"wrote report {name} to {output_uri.rstrip('/')}/{name}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True, help="Parquet root folder of the trips")
    parser.add_argument("--output", required=True, help="root folder of the reports")
    parser.add_argument("--top", type=int, default=10, help="stations per popular-stations report")
    month_arguments(parser)
    args = parser.parse_args(argv)
    if args.top < 1:
        parser.error("--top must be at least 1")
    spark = spark_session("citibike-reports")
    write(compute(spark, input_uri=args.input, year=args.year, month=args.month, top=args.top), args.output)


if __name__ == "__main__":
    sys.exit(run(main))
