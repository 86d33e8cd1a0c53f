"""The Spark SQL reports job on a real local Spark: exact aggregates of generated months."""

from __future__ import annotations

import csv
from pathlib import Path

import citibike_csv_to_parquet
import citibike_reports as job
import jobkit
import pytest

from tests.support.citibike_sample import MAY_2024, Trips, write_csv_parts


@pytest.fixture(scope="module")
def parquet_root(spark, tmp_path_factory):
    """May 2024 from the shared sample plus a June that must never leak into May's reports."""
    base = tmp_path_factory.mktemp("citibike")
    root = base / "parquet"
    for month, sample in ((5, MAY_2024), (6, [Trips("4846.01", "4846.01", 7, "casual", "classic_bike")])):
        folder = write_csv_parts(base / f"csv-{month}", 2024, month, sample)
        citibike_csv_to_parquet.convert(spark, input_uri=str(folder), output_uri=str(root), year=2024, month=month)
    return root


def read_report(root: Path, name: str, year: int, month: int) -> list[dict]:
    folder = root / name / f"year={year}" / f"month={month}"
    files = sorted(folder.glob("part-*.csv"))
    assert len(files) == 1, f"expected one CSV file in {folder}, found {files}"
    with files[0].open() as handle:
        return list(csv.DictReader(handle))


def test_every_report_lands_in_its_own_folder_with_exact_counts(spark, parquet_root, tmp_path):
    argv = ["--input", str(parquet_root), "--output", str(tmp_path), "--year", "2024", "--month", "5", "--top", "3"]

    assert jobkit.run(job.main, argv, stop_spark=False) == 0

    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == sorted(job.REPORTS)
    assert read_report(tmp_path, "ridership", 2024, 5) == [{"trips": "12"}]
    assert read_report(tmp_path, "popular_start_stations", 2024, 5) == [
        {"station_id": "6140.05", "station_name": "W 21 St & 6 Ave", "trips": "5", "rank": "1"},
        {"station_id": "5905.14", "station_name": "Broadway & W 58 St, North", "trips": "3", "rank": "2"},
        {"station_id": "4846.01", "station_name": "Pier 40 - Hudson River Park", "trips": "3", "rank": "3"},
    ]
    assert read_report(tmp_path, "popular_end_stations", 2024, 5) == [
        {"station_id": "6450.05", "station_name": "E 17 St & Broadway", "trips": "8", "rank": "1"},
        {"station_id": "6140.05", "station_name": "W 21 St & 6 Ave", "trips": "3", "rank": "2"},
    ]
    by_type = read_report(tmp_path, "trips_by_member_and_rideable_type", 2024, 5)
    assert sorted((r["member_casual"], r["rideable_type"], r["trips"]) for r in by_type) == [
        ("casual", "electric_bike", "4"),
        ("member", "classic_bike", "5"),
        ("member", "electric_bike", "3"),
    ]
    assert not (tmp_path / "ridership" / "year=2024" / "month=6").exists()


def test_rerunning_a_month_leaves_the_other_months_reports_alone(spark, parquet_root, tmp_path):
    for month in (5, 6):
        reports = job.compute(spark, input_uri=str(parquet_root), year=2024, month=month, top=10)
        job.write(reports, str(tmp_path))
    june_file = next((tmp_path / "ridership" / "year=2024" / "month=6").glob("part-*.csv"))

    job.write(job.compute(spark, input_uri=str(parquet_root), year=2024, month=5, top=10), str(tmp_path))

    assert june_file.exists(), "rewriting May must not touch June's files"
    assert read_report(tmp_path, "ridership", 2024, 5) == [{"trips": "12"}]
    assert read_report(tmp_path, "ridership", 2024, 6) == [{"trips": "7"}]


def test_a_month_without_trips_exits_non_zero_and_says_what_to_do(spark, parquet_root, tmp_path, capsys):
    argv = ["--input", str(parquet_root), "--output", str(tmp_path), "--year", "2023", "--month", "1"]

    assert jobkit.run(job.main, argv, stop_spark=False) == jobkit.EXIT_BAD_INPUT
    assert "no trips for 2023-01; convert that month to Parquet first" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_top_below_one_is_a_usage_error(capsys):
    argv = ["--input", "i", "--output", "o", "--year", "2024", "--month", "5", "--top", "0"]
    assert jobkit.run(job.main, argv, stop_spark=False) == 2
    assert "--top must be at least 1" in capsys.readouterr().err
