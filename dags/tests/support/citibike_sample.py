"""Citibike trip files that the tests generate, with counts known by construction.

A sample is a list of ``Trips`` groups; each group expands to ``count`` rows that share
stations, member type and rideable type, so the expected aggregates can be read off
the sample itself and written by hand in the tests.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

HEADER = (
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

# Station id -> (name, latitude, longitude). A name with a comma checks CSV quoting.
STATIONS = {
    "6140.05": ("W 21 St & 6 Ave", 40.74174, -73.99416),
    "5905.14": ("Broadway & W 58 St, North", 40.76695, -73.98169),
    "6450.05": ("E 17 St & Broadway", 40.73705, -73.99009),
    "4846.01": ("Pier 40 - Hudson River Park", 40.72771, -74.01129),
}


@dataclass(frozen=True)
class Trips:
    start: str
    end: str | None  # None: an e-bike left outside a station
    count: int
    member: str = "member"
    rideable: str = "classic_bike"


# The month the DAG and job tests use: station ranks include a tie broken by name.
MAY_2024 = [
    Trips("6140.05", "6450.05", 5, "member", "classic_bike"),
    Trips("5905.14", "6450.05", 3, "casual", "electric_bike"),
    Trips("4846.01", "6140.05", 3, "member", "electric_bike"),
    Trips("6450.05", None, 1, "casual", "electric_bike"),
]
# start: W 21 St 5, Broadway & W 58 St 3, Pier 40 3, E 17 St 1 -> top 3 breaks the 3-3 tie by name
# end: E 17 St 8, W 21 St 3 (one trip has no end station)
MAY_2024_TRIPS = 12


def rows(year: int, month: int, sample: list[Trips]) -> list[list[str]]:
    out = []
    started = datetime(year, month, 1, 6, 0, 0)
    for group in sample:
        for _ in range(group.count):
            index = len(out)
            start_name, start_lat, start_lng = STATIONS[group.start]
            end_name, end_lat, end_lng = STATIONS[group.end] if group.end else ("", "", "")
            begin = started + timedelta(minutes=37 * index, milliseconds=123)
            finish = begin + timedelta(minutes=14, seconds=5)
            out.append(
                [
                    f"{year}{month:02d}R{index:06d}",
                    group.rideable,
                    begin.isoformat(sep=" ", timespec="milliseconds"),
                    finish.isoformat(sep=" ", timespec="milliseconds"),
                    start_name,
                    group.start,
                    end_name,
                    group.end or "",
                    str(start_lat),
                    str(start_lng),
                    str(end_lat),
                    str(end_lng),
                    group.member,
                ]
            )
    return out


def csv_text(records: list[list[str]], header: tuple[str, ...] | list[str] = HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(records)
    return buffer.getvalue()


def write_csv_parts(folder: Path, year: int, month: int, sample: list[Trips], parts: int = 2) -> Path:
    """Write the month as ``parts`` CSV files, as Citibike splits large months."""
    folder.mkdir(parents=True, exist_ok=True)
    records = rows(year, month, sample)
    for part in range(parts):
        chunk = records[part::parts]
        (folder / f"{year}{month:02d}-citibike-tripdata_{part + 1}.csv").write_text(csv_text(chunk))
    return folder


def archive_bytes(year: int, month: int, sample: list[Trips], parts: int = 2, header=HEADER) -> bytes:
    """The month's archive as Citibike publishes it: CSV parts in a folder, plus macOS litter."""
    records = rows(year, month, sample)
    stem = f"{year}{month:02d}-citibike-tripdata"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in range(parts):
            archive.writestr(f"{stem}/{stem}_{part + 1}.csv", csv_text(records[part::parts], header))
        archive.writestr(f"__MACOSX/{stem}/._{stem}_1.csv", b"\x00\x05\x16\x07")
    return buffer.getvalue()
