"""Settings: defaults, environment overrides (parsed, validated, typos reported), and credential redaction."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

import core.settings
from core.errors import ConfigError
from core.settings import NOT_SETTINGS, Settings, redact


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a fresh process would: no unknown variable reported yet."""
    monkeypatch.setattr(core.settings, "_warned", set())


def test_environment_overrides_defaults() -> None:
    settings = Settings.from_env(
        {"NEWSARCHIVE_CONCURRENCY": "9", "NEWSARCHIVE_DELAY_S": "0.25", "NEWSARCHIVE_AUTOTHROTTLE": "no",
         "NEWSARCHIVE_OUTLETS": "/etc/outlets.yaml", "NEWSARCHIVE_ARCHIVE": "s3://bucket/prefix"}
    )
    assert settings.concurrency == 9
    assert settings.delay_s == 0.25
    assert settings.autothrottle is False
    assert settings.outlets == Path("/etc/outlets.yaml")
    assert settings.archive == "s3://bucket/prefix"


def test_explicit_overrides_win_and_none_is_ignored() -> None:
    settings = Settings.from_env({"NEWSARCHIVE_CONCURRENCY": "9"}, concurrency=2, delay_s=None)
    assert settings.concurrency == 2
    assert settings.delay_s == Settings().delay_s


def test_empty_variable_is_unset() -> None:
    assert Settings.from_env({"NEWSARCHIVE_CONCURRENCY": "", "NEWSARCHIVE_S3_SSE": ""}) == Settings()


def test_default_archive_is_no_package_of_the_source_tree() -> None:
    root = Path(__file__).resolve().parents[2]
    assert Settings().archive == "newsarchive-data"
    assert not (root / Settings().archive).exists()


def test_dag_and_alert_settings_from_environment() -> None:
    settings = Settings.from_env({
        "NEWSARCHIVE_DAG_RETRIES": "0", "NEWSARCHIVE_DAG_RETRY_DELAY_S": "10", "NEWSARCHIVE_DAG_MAX_RETRY_DELAY_S": "60",
        "NEWSARCHIVE_DAG_CRAWL_TIMEOUT_S": "90", "NEWSARCHIVE_DAG_MAX_PARALLEL_CRAWLS": "4",
        "NEWSARCHIVE_NIGHTLY_SCHEDULE": "@daily", "NEWSARCHIVE_BACKFILL_SCHEDULE": "0 3 1 * *",
        "NEWSARCHIVE_ALERT_MIN_HISTORY": "200", "NEWSARCHIVE_AWS_CONN_ID": "minio",
        "NEWSARCHIVE_MAX_CRAWL_DELAY_S": "5",
    })
    assert (settings.dag_retries, settings.dag_retry_delay_s, settings.dag_max_retry_delay_s) == (0, 10.0, 60.0)
    assert (settings.dag_crawl_timeout_s, settings.dag_max_parallel_crawls) == (90.0, 4)
    assert (settings.nightly_schedule, settings.backfill_schedule) == ("@daily", "0 3 1 * *")
    assert (settings.alert_min_history, settings.aws_conn_id, settings.max_crawl_delay_s) == (200, "minio", 5.0)


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("NEWSARCHIVE_CONCURRENCY", "abc", "NEWSARCHIVE_CONCURRENCY: not an integer: 'abc'"),
        ("NEWSARCHIVE_CONCURRENCY", "2.5", "NEWSARCHIVE_CONCURRENCY: not an integer: '2.5'"),
        ("NEWSARCHIVE_DAG_RETRIES", "three", "NEWSARCHIVE_DAG_RETRIES: not an integer: 'three'"),
        ("NEWSARCHIVE_DELAY_S", "fast", "NEWSARCHIVE_DELAY_S: not a number: 'fast'"),
        ("NEWSARCHIVE_DELAY_S", "nan", "NEWSARCHIVE_DELAY_S: not a number: 'nan'"),
        ("NEWSARCHIVE_AUTOTHROTTLE", "maybe", "NEWSARCHIVE_AUTOTHROTTLE: not a boolean"),
        ("NEWSARCHIVE_AUTOTHROTTLE", "", None),
    ],
)
def test_bad_values_name_the_variable(name: str, raw: str, message: str | None) -> None:
    if message is None:
        assert Settings.from_env({name: raw}) == Settings()
        return
    with pytest.raises(ConfigError) as excinfo:
        Settings.from_env({name: raw})
    assert str(excinfo.value).startswith(message)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1", True), ("true", True), ("YES", True), (" on ", True), ("0", False), ("False", False), ("no", False),
     ("off", False)],
)
def test_booleans(raw: str, value: bool) -> None:
    assert Settings.from_env({"NEWSARCHIVE_AUTOTHROTTLE": raw}).autothrottle is value


def test_unknown_variable_is_reported_once_with_the_closest_name(capsys: pytest.CaptureFixture[str]) -> None:
    env = {"NEWSARCHIVE_CONCURENCY": "9", "OTHER_THING": "x"}
    assert Settings.from_env(env) == Settings()
    Settings.from_env(env)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert "NEWSARCHIVE_CONCURENCY" in lines[0] and "NEWSARCHIVE_CONCURRENCY" in lines[0]


def test_unknown_variable_without_a_close_name(capsys: pytest.CaptureFixture[str]) -> None:
    Settings.from_env({"NEWSARCHIVE_ZZZ": "1"})
    (line,) = capsys.readouterr().err.splitlines()
    assert "NEWSARCHIVE_ZZZ" in line and "did you mean" not in line


def test_variables_that_are_no_settings_are_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert Settings.from_env(dict.fromkeys(NOT_SETTINGS, "x")) == Settings()
    assert capsys.readouterr().err == ""
    setting_names = {f"NEWSARCHIVE_{f.name.upper()}" for f in fields(Settings)}
    assert not setting_names & set(NOT_SETTINGS)


def test_settings_survive_json_for_a_child_process() -> None:
    import json

    settings = Settings.from_env({
        "NEWSARCHIVE_SPOOL_DIR": "/tmp/spool", "NEWSARCHIVE_S3_SSE": "AES256", "NEWSARCHIVE_DAG_RETRIES": "1",
        "NEWSARCHIVE_MAX_CRAWL_DELAY_S": "2.5", "NEWSARCHIVE_AUTOTHROTTLE": "off", "NEWSARCHIVE_ARCHIVE": "s3://b/p",
    })
    again = Settings.from_dict(json.loads(json.dumps(settings.to_dict())))
    assert again == settings
    assert isinstance(again.spool_dir, Path) and isinstance(again.outlets, Path)
    assert set(settings.to_dict()) == {f.name for f in fields(Settings)}


def test_redact_removes_secrets() -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    text = (
        f"aws_secret_access_key={secret} url=https://user:{secret}@host/x "
        f"https://b.s3/x?X-Amz-Signature=abcdef123&X-Amz-Credential=AKIA/2026"
    )
    cleaned = redact(text, secrets=(secret,))
    assert secret not in cleaned
    assert "abcdef123" not in cleaned
    assert "AKIA/2026" not in cleaned
