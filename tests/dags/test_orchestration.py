"""Unit tests of newsarchive.orchestration: configuration, windows, month chunks, report and alert rule.

These need no Airflow process: the Variable lookup is injected, everything else is plain Python.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from core.dates import DateWindow
from core.errors import ConfigError, CrawlError, UnknownOutletError
from core.settings import Settings
from newsarchive.orchestration import (
    MAX_MAP_LENGTH,
    OUTLET_SHARDS,
    AlertPolicy,
    OutletResult,
    RunReport,
    TaskDefaults,
    backfill_plan,
    interval_window,
    mapped_results,
    month_chunks,
    nightly_window,
    outlet_shard,
    resolve_config,
)
from newsarchive.orchestration.tasks import SOURCES, archive_window, assert_site_answered


def no_variables(name: str) -> str | None:
    return None


def test_config_from_environment() -> None:
    config = resolve_config(
        no_variables,
        {"NEWSARCHIVE_ARCHIVE": "s3://news/archive", "NEWSARCHIVE_OUTLETS": "/etc/outlets.yaml", "NEWSARCHIVE_OVERLAP_DAYS": "3"},
    )
    assert config.archive_uri == "s3://news/archive"
    assert config.outlets_path == Path("/etc/outlets.yaml")
    assert config.aws_conn_id == "newsarchive_s3"
    assert config.settings.overlap_days == 3


def test_airflow_variables_win_over_environment() -> None:
    variables = {"newsarchive_archive": "s3://from-variable/", "newsarchive_aws_conn_id": "minio"}
    config = resolve_config(
        variables.get, {"NEWSARCHIVE_ARCHIVE": "/from/env", "NEWSARCHIVE_OUTLETS": "/env/outlets.yaml"}
    )
    assert config.archive_uri == "s3://from-variable/"
    assert config.outlets_path == Path("/env/outlets.yaml")
    assert config.aws_conn_id == "minio"


def test_missing_configuration_names_the_variable_and_the_env_var() -> None:
    with pytest.raises(ConfigError) as excinfo:
        resolve_config(no_variables, {"NEWSARCHIVE_OUTLETS": "/etc/outlets.yaml"})
    message = str(excinfo.value)
    assert "newsarchive_archive" in message and "$NEWSARCHIVE_ARCHIVE" in message
    assert "outlets" not in message.split("set ", 1)[1]


def test_task_defaults_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSARCHIVE_DAG_RETRIES", "0")
    monkeypatch.setenv("NEWSARCHIVE_DAG_CRAWL_TIMEOUT_S", "90")
    defaults = TaskDefaults.from_settings(Settings.from_env())
    assert defaults.retries == 0 and defaults.crawl_timeout.total_seconds() == 90
    args = defaults.default_args()
    assert args["retry_exponential_backoff"] > 1 and args["max_retry_delay"] > args["retry_delay"]
    monkeypatch.setenv("NEWSARCHIVE_DAG_RETRIES", "three")
    with pytest.raises(ConfigError, match="NEWSARCHIVE_DAG_RETRIES"):
        TaskDefaults.from_settings(Settings.from_env())


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_daily_interval_is_one_day() -> None:
    window = interval_window(at("2026-11-19T00:00"), at("2026-11-20T00:00"))
    assert window == DateWindow(date(2026, 11, 19), date(2026, 11, 19))


def test_cron_interval_across_midnight_touches_both_days() -> None:
    window = interval_window(at("2026-11-19T02:00"), at("2026-11-20T02:00"))
    assert window == DateWindow(date(2026, 11, 19), date(2026, 11, 20))


def test_zero_length_interval_is_its_day() -> None:
    assert interval_window(at("2026-11-20T02:00"), at("2026-11-20T02:00")) == DateWindow(
        date(2026, 11, 20), date(2026, 11, 20)
    )


def test_interval_in_another_zone_is_read_in_utc() -> None:
    from zoneinfo import ZoneInfo

    damascus = ZoneInfo("Asia/Damascus")
    start = datetime(2026, 11, 19, 2, 0, tzinfo=damascus)  # 23:00 UTC the day before
    end = datetime(2026, 11, 20, 2, 0, tzinfo=damascus)
    assert interval_window(start, end) == DateWindow(date(2026, 11, 18), date(2026, 11, 19))


def test_nightly_window_leaves_since_to_the_crawler() -> None:
    window = nightly_window(at("2026-11-19T00:00"), at("2026-11-20T00:00"))
    assert window.since is None and window.until == date(2026, 11, 19)
    assert DateWindow.from_dict(window.to_dict()) == window


def test_month_chunks_cut_at_month_ends() -> None:
    chunks = month_chunks(DateWindow(date(2023, 12, 15), date(2024, 3, 2)))
    assert [(c.since, c.until) for c in chunks] == [
        (date(2023, 12, 15), date(2023, 12, 31)),
        (date(2024, 1, 1), date(2024, 1, 31)),
        (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2024, 3, 1), date(2024, 3, 2)),
    ]


def test_month_chunks_single_day() -> None:
    assert month_chunks(DateWindow(date(2026, 2, 28), date(2026, 2, 28))) == [
        DateWindow(date(2026, 2, 28), date(2026, 2, 28))
    ]


def test_backfill_windows_must_be_closed_and_ordered() -> None:
    with pytest.raises(ConfigError, match="both since and until"):
        month_chunks(DateWindow(date(2026, 1, 1), None))
    with pytest.raises(ConfigError, match="starts after it ends"):
        DateWindow(date(2026, 2, 1), date(2026, 1, 1))


def result(outlet: str, **counts: int) -> dict[str, object]:
    return OutletResult(outlet_id=outlet, run_id="r1", window="…..2026-11-19", committed=True, **counts).to_dict()


def test_report_counts_articles_and_failed_outlets() -> None:
    report = RunReport.build(
        ["alpha", "beta", "gamma"], [result("alpha", archived=4, versions=1, history=10), result("beta", duplicates=3)]
    )
    assert report.articles == {"alpha": 5, "beta": 0}
    assert report.failed_outlets == ("gamma",)
    assert report.silent_outlets == ()
    rendered = report.render()
    assert "FAILED outlets" in rendered and "gamma" in rendered
    assert report.to_dict()["total_articles"] == 5


def test_outlet_with_history_that_sees_nothing_is_silent() -> None:
    report = RunReport.build(
        ["moved", "quiet-day", "new-outlet"],
        [
            result("moved", history=120),  # saw nothing at all: the site changed
            result("quiet-day", duplicates=6, history=120),  # nothing new, but met known articles
            result("new-outlet", history=0),  # nothing ever: reported, not alarmed
        ],
    )
    assert report.silent_outlets == ("moved",)
    assert report.failed_outlets == ()
    assert "SILENT outlets" in report.render()


def test_alert_threshold_is_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSARCHIVE_ALERT_MIN_HISTORY", "200")
    policy = AlertPolicy.from_settings(Settings.from_env())
    assert policy.min_history == 200
    assert RunReport.build(["moved"], [result("moved", history=120)], policy).silent_outlets == ()


def test_backfill_report_expects_every_month() -> None:
    done = OutletResult(outlet_id="alpha", run_id="r1", window="2026-09-01..2026-09-30", archived=3, committed=True)
    report = RunReport.build(
        ["alpha 2026-09-01..2026-09-30", "alpha 2026-10-01..2026-10-31"], [done.to_dict()], by_window=True
    )
    assert report.failed_outlets == ("alpha 2026-10-01..2026-10-31",)


def test_report_when_no_outlet_succeeded() -> None:
    report = RunReport.build(["alpha", "beta"], None)
    assert report.failed_outlets == ("alpha", "beta") and report.results == ()


def test_report_accepts_a_single_unwrapped_result() -> None:
    report = RunReport.build(["alpha"], result("alpha", archived=2))
    assert report.articles == {"alpha": 2} and report.failed_outlets == ()


def test_results_of_every_shape_airflow_hands_over() -> None:
    one, two = result("alpha"), result("beta")
    assert mapped_results(None) == [] and mapped_results(one) == [one] and mapped_results([one, None, two]) == [one, two]


def test_1500_outlets_map_in_two_shards_within_max_map_length() -> None:
    ids = [f"outlet-{i:04d}" for i in range(1500)]
    shards = [outlet_shard(ids, n) for n in range(OUTLET_SHARDS)]
    assert [len(s) for s in shards] == [MAX_MAP_LENGTH, 1500 - MAX_MAP_LENGTH, 0, 0]
    assert [i for s in shards for i in s] == ids  # every outlet once, in registry order


def test_more_outlets_than_the_shards_hold_fail_loudly() -> None:
    ids = [f"o{i}" for i in range(OUTLET_SHARDS * MAX_MAP_LENGTH + 1)]
    assert len(outlet_shard(ids, 0)) == MAX_MAP_LENGTH
    with pytest.raises(ConfigError, match=r"4097 outlets: the nightly DAG maps at most 4 × 1024"):
        outlet_shard(ids, OUTLET_SHARDS - 1)


def write_registry(tmp_path: Path) -> Path:
    path = tmp_path / "outlets.yaml"
    path.write_text(
        "outlets:\n"
        "  - {id: alpha, name: Alpha, base_url: 'https://alpha.example/'}\n"
        "  - {id: beta, name: Beta, base_url: 'https://beta.example/'}\n"
    )
    return path


def test_backfill_plan_is_one_item_per_outlet_and_month(tmp_path: Path) -> None:
    config = resolve_config(no_variables, {"NEWSARCHIVE_ARCHIVE": "/a", "NEWSARCHIVE_OUTLETS": str(write_registry(tmp_path))})
    plan = backfill_plan(config, [], DateWindow(date(2026, 9, 20), date(2026, 10, 5)))
    assert [(item["outlet_id"], item["window"]["since"], item["window"]["until"]) for item in plan] == [
        ("alpha", "2026-09-20", "2026-09-30"),
        ("alpha", "2026-10-01", "2026-10-05"),
        ("beta", "2026-09-20", "2026-09-30"),
        ("beta", "2026-10-01", "2026-10-05"),
    ]
    assert [item["outlet_id"] for item in backfill_plan(config, ["beta"], DateWindow(date(2026, 9, 1), date(2026, 9, 2)))] == ["beta"]
    with pytest.raises(UnknownOutletError, match="gamma"):
        backfill_plan(config, ["gamma"], DateWindow(date(2026, 9, 1), date(2026, 9, 2)))


@pytest.mark.parametrize(
    ("stats", "fails"),
    [
        ({"requests": 20, "responses_by_status": {}}, True),  # connection refused on every request
        ({"requests": 4, "responses_by_status": {"503": 4}}, True),  # only server errors
        ({"requests": 4, "responses_by_status": {"404": 3, "503": 1}}, False),  # the site answered
        ({"requests": 9, "responses_by_status": {"200": 9}}, False),
        ({"requests": 0, "responses_by_status": {}}, False),  # nothing worth a request
    ],
)
def test_a_site_that_never_answered_fails_the_crawl(stats: dict[str, object], fails: bool) -> None:
    if fails:
        with pytest.raises(CrawlError, match="never answered"):
            assert_site_answered("alpha", stats)
    else:
        assert_site_answered("alpha", stats)


def test_archiving_from_an_unknown_source_is_refused(tmp_path: Path) -> None:
    config = resolve_config(no_variables, {"NEWSARCHIVE_ARCHIVE": "/a", "NEWSARCHIVE_OUTLETS": str(write_registry(tmp_path))})
    assert set(SOURCES) == {"live", "wayback"}  # the backfill DAG's ``source`` param offers exactly these
    with pytest.raises(ConfigError, match="unknown source 'ftp'"):
        archive_window(config, "alpha", DateWindow(date(2026, 9, 1), date(2026, 9, 2)), source="ftp")


def test_a_quiet_night_of_not_modified_sitemaps_is_not_silent() -> None:
    """Conditional discovery: a rerun whose sitemaps answer 304 meets no article, and is no redesign."""
    policy = AlertPolicy(min_history=1)
    quiet = OutletResult(outlet_id="demo", run_id="r", window="w", committed=True, history=10, unchanged=3)
    moved = OutletResult(outlet_id="mirror", run_id="r", window="w", committed=True, history=10)
    assert not policy.is_silent(quiet) and policy.is_silent(moved)
