"""Where the Citibike pipeline reads and writes, worked out from the month alone.

Pure functions: the DAG's tasks call them, the tests call them directly.
"""

from __future__ import annotations

import posixpath
import re
from datetime import datetime

# The public Citibike trip-data bucket, through its HTTPS website.
DEFAULT_SOURCE_URL = "https://s3.amazonaws.com/tripdata"
SOURCE_URL_VARIABLE = "citibike_source_url"

CSV_PREFIX = "citibike/csv"
PARQUET_PREFIX = "citibike/parquet"
RESULTS_PREFIX = "citibike/results"
# The folders jobs/citibike_reports.py writes, one per report (a test keeps them equal).
REPORTS = ("ridership", "popular_start_stations", "popular_end_stations", "trips_by_member_and_rideable_type")

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class MonthError(ValueError):
    """The run does not say which month to process."""


def month_to_process(month_param: str | None, data_interval_start: datetime | None) -> tuple[int, int]:
    """The ``month`` param ("YYYY-MM") if given, else the month the run's data interval starts in."""
    if month_param:
        match = _MONTH.match(month_param)
        if not match:
            raise MonthError(f"month {month_param!r} is not of the form YYYY-MM, e.g. 2024-05")
        return int(match.group(1)), int(match.group(2))
    if data_interval_start is None:
        raise MonthError("this run has no data interval: trigger it with the param 'month' (YYYY-MM)")
    return data_interval_start.year, data_interval_start.month


# One run may cover at most this many months (a backfill of two years); each is a task.
MAX_MONTHS = 24


def months_to_process(
    month_param: str | None, through_param: str | None, data_interval_start: datetime | None
) -> list[tuple[int, int]]:
    """Every month a run covers, oldest first: ``month`` through ``through_month`` (inclusive).

    Without ``through_month`` the run covers one month (``month_to_process``).
    """
    first = month_to_process(month_param, data_interval_start)
    if not through_param:
        return [first]
    if not month_param:
        raise MonthError("through_month needs month: trigger the run with both, e.g. 2024-01 and 2024-12")
    last = month_to_process(through_param, None)
    if last < first:
        raise MonthError(f"through_month {through_param} is before month {month_param}")
    count = (last[0] - first[0]) * 12 + last[1] - first[1] + 1
    if count > MAX_MONTHS:
        raise MonthError(f"{month_param} to {through_param} is {count} months; one run covers at most {MAX_MONTHS}")
    return [((first[1] - 1 + i) // 12 + first[0], (first[1] - 1 + i) % 12 + 1) for i in range(count)]


def archive_urls(source_url: str, year: int, month: int) -> list[str]:
    """Candidate archive URLs, newest naming first: Citibike dropped '.csv' from the name in 2024."""
    base = source_url.rstrip("/")
    stem = f"{year}{month:02d}-citibike-tripdata"
    return [f"{base}/{stem}.zip", f"{base}/{stem}.csv.zip"]


def plan(*, bucket: str, year: int, month: int, source_url: str) -> dict:
    """Every location of one month's run, as JSON for XCom and the Spark templates."""
    csv_key_prefix = f"{CSV_PREFIX}/year={year}/month={month}/"
    return {
        "year": year,
        "month": month,
        "bucket": bucket,
        "archive_urls": archive_urls(source_url, year, month),
        "csv_key_prefix": csv_key_prefix,
        "csv_uri": f"s3a://{bucket}/{csv_key_prefix}",
        "parquet_uri": f"s3a://{bucket}/{PARQUET_PREFIX}",
        "results_uri": f"s3a://{bucket}/{RESULTS_PREFIX}",
        "report_key_prefixes": {name: f"{RESULTS_PREFIX}/{name}/year={year}/month={month}/" for name in REPORTS},
    }


def csv_members(names: list[str]) -> list[str]:
    """The archive's CSV files, leaving out folders and macOS metadata (__MACOSX, ._*)."""
    members = [
        name
        for name in names
        if name.lower().endswith(".csv")
        and not name.startswith("__MACOSX/")
        and not posixpath.basename(name).startswith(".")
    ]
    return sorted(members)


def staged_keys(csv_key_prefix: str, members: list[str]) -> dict[str, str]:
    """Archive member -> S3 key under the month's prefix; file names must not collide."""
    keys: dict[str, str] = {}
    for member in members:
        key = csv_key_prefix + posixpath.basename(member)
        if key in keys.values():
            raise ValueError(f"two CSV files in the archive are named {posixpath.basename(member)!r}")
        keys[member] = key
    return keys
