"""The bundle's helper package: month planning, names, placement and configuration errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from airspark import citibike
from airspark.platform import (
    DRIVER_NODE_SELECTOR,
    EXECUTOR_NODE_SELECTOR,
    ConfigurationError,
    data_bucket,
    node_selectors,
    run_key,
    spark_submit_placement_conf,
    with_node_selectors,
)


def test_the_month_param_wins_over_the_data_interval():
    assert citibike.month_to_process("2023-11", datetime(2024, 5, 1, tzinfo=UTC)) == (2023, 11)
    assert citibike.month_to_process(None, datetime(2024, 5, 1, tzinfo=UTC)) == (2024, 5)


@pytest.mark.parametrize("bad", ["2024-5", "2024-13", "24-05", "May 2024"])
def test_a_malformed_month_is_refused_with_an_example(bad):
    with pytest.raises(citibike.MonthError, match=r"not of the form YYYY-MM, e\.g\. 2024-05"):
        citibike.month_to_process(bad, None)


def test_a_run_without_data_interval_must_name_its_month():
    with pytest.raises(citibike.MonthError, match="trigger it with the param 'month'"):
        citibike.month_to_process(None, None)


def test_archive_names_newest_convention_first():
    assert citibike.archive_urls("https://s3.amazonaws.com/tripdata/", 2024, 5) == [
        "https://s3.amazonaws.com/tripdata/202405-citibike-tripdata.zip",
        "https://s3.amazonaws.com/tripdata/202405-citibike-tripdata.csv.zip",
    ]


def test_the_plan_puts_each_month_under_its_own_partition_prefix():
    plan = citibike.plan(bucket="data", year=2025, month=1, source_url="https://example.invalid/tripdata")
    assert plan["csv_key_prefix"] == "citibike/csv/year=2025/month=1/"
    assert plan["csv_uri"] == "s3a://data/citibike/csv/year=2025/month=1/"
    assert plan["parquet_uri"] == "s3a://data/citibike/parquet"
    assert plan["results_uri"] == "s3a://data/citibike/results"
    assert plan["report_key_prefixes"]["ridership"] == "citibike/results/ridership/year=2025/month=1/"


def test_the_dag_expects_the_reports_the_job_writes():
    import citibike_reports

    assert set(citibike.REPORTS) == set(citibike_reports.REPORTS)


def test_only_the_csv_files_of_an_archive_are_staged():
    names = [
        "202405-citibike-tripdata/",
        "202405-citibike-tripdata/202405-citibike-tripdata_2.csv",
        "202405-citibike-tripdata/202405-citibike-tripdata_1.csv",
        "__MACOSX/202405-citibike-tripdata/._202405-citibike-tripdata_1.csv",
        "202405-citibike-tripdata/._hidden.csv",
        "README.txt",
    ]
    members = citibike.csv_members(names)
    assert members == [
        "202405-citibike-tripdata/202405-citibike-tripdata_1.csv",
        "202405-citibike-tripdata/202405-citibike-tripdata_2.csv",
    ]
    assert list(citibike.staged_keys("p/", members).values()) == [
        "p/202405-citibike-tripdata_1.csv",
        "p/202405-citibike-tripdata_2.csv",
    ]


def test_two_csv_files_with_one_name_are_refused():
    with pytest.raises(ValueError, match=r"two CSV files in the archive are named 'a\.csv'"):
        citibike.staged_keys("p/", ["x/a.csv", "y/a.csv"])


def test_the_bucket_param_wins_and_is_checked():
    assert data_bucket("my-data.bucket") == "my-data.bucket"
    with pytest.raises(ConfigurationError, match="is not an S3 bucket name"):
        data_bucket("My_Bucket")


def test_the_bucket_falls_back_to_the_variable(monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_AIRSPARK_DATA_BUCKET", "from-variable")
    assert data_bucket(None) == "from-variable"


def test_without_bucket_the_message_says_what_to_set(monkeypatch):
    monkeypatch.delenv("AIRFLOW_VAR_AIRSPARK_DATA_BUCKET", raising=False)
    with pytest.raises(ConfigurationError, match="set the Airflow Variable airspark_data_bucket"):
        data_bucket(None)


def test_run_ids_become_safe_for_s3a_paths():
    assert run_key("manual__2026-11-21T10:20:39.780264+00:00") == "manual__2026-11-21T10_20_39.780264_00_00"


def test_livy_placement_conf_values_are_strings_as_livy_requires():
    conf = spark_submit_placement_conf()
    assert conf["spark.kubernetes.driver.node.selector.karpenter.sh/capacity-type"] == "on-demand"
    assert all(isinstance(v, str) and v for v in conf.values())


def test_a_run_covers_month_through_through_month_across_a_year_end():
    assert citibike.months_to_process("2023-11", "2024-02", None) == [(2023, 11), (2023, 12), (2024, 1), (2024, 2)]
    assert citibike.months_to_process("2024-05", None, None) == [(2024, 5)]
    assert citibike.months_to_process(None, None, datetime(2024, 5, 1, tzinfo=UTC)) == [(2024, 5)]
    assert len(citibike.months_to_process("2024-01", "2024-12", None)) == 12


@pytest.mark.parametrize(
    ("month", "through", "message"),
    [
        ("2024-05", "2024-04", "through_month 2024-04 is before month 2024-05"),
        (None, "2024-04", "through_month needs month"),
        ("2022-01", "2024-01", "25 months; one run covers at most 24"),
        ("2024-01", "2024-13", "is not of the form YYYY-MM"),
    ],
)
def test_a_bad_month_range_is_refused_with_the_reason(month, through, message):
    with pytest.raises(citibike.MonthError, match=message):
        citibike.months_to_process(month, through, datetime(2024, 5, 1, tzinfo=UTC))


@pytest.mark.parametrize("folder", ["s3://bucket/prefix/", "s3a://bucket/prefix", "s3a:///prefix/"])
def test_a_livy_result_folder_that_is_not_an_s3a_folder_fails_before_anything_is_deleted(folder):
    from airflow.sdk.exceptions import AirflowFailException

    from airspark.livy import LivyBatchOperator

    operator = LivyBatchOperator(task_id="submit_batch", file="s3a://bucket/job.py", result_folder=folder)
    with pytest.raises(AirflowFailException, match="is not of the form s3a://bucket/prefix/"):
        operator._empty_result_folder()


def test_without_the_variable_spark_pods_go_to_the_karpenter_pools(monkeypatch):
    monkeypatch.delenv("AIRFLOW_VAR_SPARK_NODE_SELECTORS", raising=False)
    assert node_selectors() == (DRIVER_NODE_SELECTOR, EXECUTOR_NODE_SELECTOR)


def test_an_environment_names_its_own_node_selectors(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_VAR_SPARK_NODE_SELECTORS",
        '{"driver": {"airspark.dev/karpenter-stand-in": "spark"}, '
        '"executor": {"airspark.dev/karpenter-stand-in": "spark"}}',
    )
    assert node_selectors() == (
        {"airspark.dev/karpenter-stand-in": "spark"},
        {"airspark.dev/karpenter-stand-in": "spark"},
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{not json", "is not JSON"),
        ('{"driver": {"a": "b"}}', "under 'executor'"),
        ('{"driver": {}, "executor": {"a": "b"}}', "under 'driver'"),
        ('{"driver": {"a": 1}, "executor": {"a": "b"}}', "under 'driver'"),
        ('["driver"]', "under 'driver'"),
    ],
)
def test_a_malformed_node_selectors_variable_says_what_it_needs(monkeypatch, value, message):
    monkeypatch.setenv("AIRFLOW_VAR_SPARK_NODE_SELECTORS", value)
    with pytest.raises(ConfigurationError, match=message):
        node_selectors()


def test_node_selector_properties_are_replaced_not_merged():
    conf = {**spark_submit_placement_conf(), "spark.executor.cores": "1"}
    replaced = with_node_selectors(conf, {"stand-in": "spark"}, {"stand-in": "spark"})
    assert replaced["spark.executor.cores"] == "1"
    assert replaced["spark.kubernetes.driver.annotation.karpenter.sh/do-not-disrupt"] == "true"
    assert {k: v for k, v in replaced.items() if ".node.selector." in k} == {
        "spark.kubernetes.driver.node.selector.stand-in": "spark",
        "spark.kubernetes.executor.node.selector.stand-in": "spark",
    }


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ('{"spark.eventLog.enabled": "true"}', {"spark.eventLog.enabled": "true"}),  # what | tojson renders
        ({"spark.a": "1"}, {"spark.a": "1"}),
        ("{}", {}),
        ("", {}),
        (None, {}),
    ],
)
def test_a_livy_runs_spark_properties_are_read_from_json_or_a_dict(extra, expected):
    from airspark.livy import LivyBatchOperator

    operator = LivyBatchOperator(
        task_id="submit_batch", file="s3a://bucket/job.py", result_folder="s3a://b/p/", extra_conf=extra
    )
    assert operator._extra_conf() == expected


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("{not json", "not a JSON object"),
        ('["spark.a"]', "must map Spark property names to strings"),
        ('{"spark.executor.instances": 2}', "must map Spark property names to strings"),
    ],
)
def test_malformed_livy_spark_properties_fail_the_task_with_the_reason(extra, message):
    from airflow.sdk.exceptions import AirflowFailException

    from airspark.livy import LivyBatchOperator

    operator = LivyBatchOperator(
        task_id="submit_batch", file="s3a://bucket/job.py", result_folder="s3a://b/p/", extra_conf=extra
    )
    with pytest.raises(AirflowFailException, match=message):
        operator._extra_conf()


def test_the_livy_dag_writes_its_result_unless_the_run_says_not_to():
    from jinja2 import Template

    import livy_spark_pi

    rendered = {
        flag: Template(livy_spark_pi.OUTPUT_ARG).render(
            params={"write_result": flag},
            ti=type("TI", (), {"try_number": 2, "xcom_pull": lambda *_a, **_k: "s3a://b/r/"})(),
        )
        for flag in (True, False)
    }
    # argparse reads "--output=" as an empty folder: the job then writes nothing.
    assert rendered == {True: "--output=s3a://b/r/try-2/", False: "--output="}


def test_an_attempts_leftovers_are_deleted_inside_out_so_folder_entries_go_last():
    from airspark.livy import deepest_first

    keys = ["r/try-1/", "r/try-1/_temporary/", "r/try-1/_temporary/0/x", "r/try-1/part-0.json", "r/try-1/_SUCCESS"]
    ordered = deepest_first(keys)
    assert sorted(ordered) == sorted(keys)
    for folder in ("r/try-1/", "r/try-1/_temporary/"):
        inside = [k for k in keys if k.startswith(folder) and k != folder]
        assert all(ordered.index(k) < ordered.index(folder) for k in inside)
