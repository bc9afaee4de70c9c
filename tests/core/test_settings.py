"""Settings: defaults, environment overrides, and credential redaction."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings, redact


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
