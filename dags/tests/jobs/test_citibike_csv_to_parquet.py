"""The CSV-to-Parquet job on a real local Spark against generated months."""

from __future__ import annotations

import datetime as dt

import citibike_csv_to_parquet as job
import jobkit
import pytest

from tests.support.citibike_sample import HEADER, MAY_2024, MAY_2024_TRIPS, Trips, csv_text, rows, write_csv_parts


def test_converts_a_month_to_parquet_partitioned_by_year_and_month(spark, tmp_path):
    csv_dir = write_csv_parts(tmp_path / "csv", 2024, 5, MAY_2024, parts=2)
    out = tmp_path / "parquet"

    written = job.convert(spark, input_uri=str(csv_dir), output_uri=str(out), year=2024, month=5)

    assert written == MAY_2024_TRIPS
    assert [p.name for p in out.iterdir() if p.is_dir()] == ["year=2024"]
    assert [p.name for p in (out / "year=2024").iterdir()] == ["month=5"]
    trips = spark.read.parquet(str(out))
    assert trips.count() == MAY_2024_TRIPS
    types = dict(trips.dtypes)
    assert types["started_at"] == "timestamp_ntz"
    assert types["start_lat"] == "double"
    assert types["year"] == "int"
    assert types["month"] == "int"
    first = trips.where("ride_id = '202405R000000'").collect()[0]
    assert first.started_at == dt.datetime(2024, 5, 1, 6, 0, 0, 123000)
    assert first.ended_at == dt.datetime(2024, 5, 1, 6, 14, 5, 123000)
    assert first.start_station_name == "W 21 St & 6 Ave"
    assert first.start_lat == pytest.approx(40.74174)
    quoted = trips.where("start_station_id = '5905.14'").select("start_station_name").distinct().collect()
    assert [r.start_station_name for r in quoted] == ["Broadway & W 58 St, North"]
    dockless = trips.where("end_station_id IS NULL")
    assert dockless.count() == 1


def test_rerunning_a_month_replaces_that_month_only(spark, tmp_path):
    out = tmp_path / "parquet"
    may = write_csv_parts(tmp_path / "may", 2024, 5, MAY_2024)
    june = write_csv_parts(tmp_path / "june", 2024, 6, [Trips("6140.05", "4846.01", 4)])
    job.convert(spark, input_uri=str(may), output_uri=str(out), year=2024, month=5)
    job.convert(spark, input_uri=str(june), output_uri=str(out), year=2024, month=6)

    corrected_may = write_csv_parts(tmp_path / "may-fixed", 2024, 5, [Trips("4846.01", "6140.05", 2)], parts=1)
    job.convert(spark, input_uri=str(corrected_may), output_uri=str(out), year=2024, month=5)

    counts = {
        (r.year, r.month): r["count"] for r in spark.read.parquet(str(out)).groupBy("year", "month").count().collect()
    }
    assert counts == {(2024, 5): 2, (2024, 6): 4}


def test_trips_keep_the_archive_month_even_when_they_started_the_month_before(spark, tmp_path):
    # A ride that starts on 30 April and ends on 1 May is in the May archive.
    record = rows(2024, 5, [Trips("6140.05", "6450.05", 1)])[0]
    record[2], record[3] = "2024-04-30 23:55:00.000", "2024-05-01 00:10:00.000"
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "part.csv").write_text(csv_text([record]))

    job.convert(spark, input_uri=str(folder), output_uri=str(tmp_path / "out"), year=2024, month=5)

    assert [(r.year, r.month) for r in spark.read.parquet(str(tmp_path / "out")).collect()] == [(2024, 5)]


def test_a_time_that_does_not_parse_becomes_null_instead_of_failing_the_month(spark, tmp_path):
    records = rows(2024, 5, [Trips("6140.05", "6450.05", 2)])
    records[1][3] = "not a time"
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "part.csv").write_text(csv_text(records))

    assert job.convert(spark, input_uri=str(folder), output_uri=str(tmp_path / "out"), year=2024, month=5) == 2
    assert spark.read.parquet(str(tmp_path / "out")).where("ended_at IS NULL").count() == 1


def test_a_file_with_the_pre_2021_columns_exits_non_zero_naming_the_difference(spark, tmp_path, capsys):
    old_header = ["tripduration", "starttime", "stoptime", "start station id", "bikeid", "usertype", "birth year"]
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "201901-citibike-tripdata.csv").write_text(csv_text([["1", "a", "b", "c", "d", "e", "1980"]], old_header))
    argv = ["--input", str(folder), "--output", str(tmp_path / "out"), "--year", "2019", "--month", "1"]

    status = jobkit.run(job.main, argv, stop_spark=False)

    err = capsys.readouterr().err
    assert status == jobkit.EXIT_BAD_INPUT
    assert f"error: {folder}: the CSV columns do not match the Citibike trip schema" in err
    assert "missing ride_id, rideable_type, started_at" in err
    assert "unexpected tripduration, starttime" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_columns_in_another_order_are_reported_as_such():
    swapped = list(HEADER)
    swapped[0], swapped[1] = swapped[1], swapped[0]
    with pytest.raises(jobkit.JobError, match="the right columns in another order"):
        job.check_columns(swapped, "s3a://bucket/file.csv")


def test_a_second_file_with_other_columns_fails_the_read(spark, tmp_path, capsys):
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "a_part_1.csv").write_text(csv_text(rows(2024, 5, [Trips("6140.05", "6450.05", 2)])))
    wrong = list(HEADER)
    wrong[-1] = "usertype"
    (folder / "b_part_2.csv").write_text(csv_text(rows(2024, 5, [Trips("6140.05", "6450.05", 2)]), wrong))
    argv = ["--input", str(folder), "--output", str(tmp_path / "out"), "--year", "2024", "--month", "5"]

    status = jobkit.run(job.main, argv, stop_spark=False)

    assert status == jobkit.EXIT_UNEXPECTED
    err = capsys.readouterr().err
    assert "CSV header does not conform to the schema" in err
    assert "b_part_2.csv" in err


def test_an_empty_month_fails_rather_than_leave_an_old_copy_in_place(spark, tmp_path, capsys):
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "part.csv").write_text(csv_text([]))
    argv = ["--input", str(folder), "--output", str(tmp_path / "out"), "--year", "2024", "--month", "5"]

    assert jobkit.run(job.main, argv, stop_spark=False) == jobkit.EXIT_BAD_INPUT
    assert "hold no trips; nothing was written" in capsys.readouterr().err


def test_a_missing_input_folder_is_a_clear_error(spark, tmp_path, capsys):
    argv = ["--input", str(tmp_path / "nowhere"), "--output", str(tmp_path / "out"), "--year", "2024", "--month", "5"]

    assert jobkit.run(job.main, argv, stop_spark=False) == jobkit.EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert f"error: {tmp_path / 'nowhere'}: no readable CSV files" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--input", "i", "--output", "o", "--year", "24", "--month", "5"], "'24' is not a four-digit year"),
        (["--input", "i", "--output", "o", "--year", "2024", "--month", "13"], "'13' is not a month number"),
        (["--output", "o", "--year", "2024", "--month", "5"], "the following arguments are required: --input"),
    ],
)
def test_bad_arguments_exit_2_with_usage(argv, message, capsys):
    assert jobkit.run(job.main, argv, stop_spark=False) == 2
    assert message in capsys.readouterr().err
