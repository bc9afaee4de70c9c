"""The outlet registry: valid files load; every mistake names the file, the outlet and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core.errors import ConfigError, UnknownOutletError
from core.registry import load_outlets, parse_outlets, select_outlets

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "outlets.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_example_registry_is_valid() -> None:
    outlets = load_outlets(REPO / "outlets.example.yaml")
    assert len(outlets) >= 3
    assert {o.language for o in outlets} >= {"en", "ar", "ru"}
    assert all(not o.allow_private_addresses for o in outlets)


def test_defaults(tmp_path: Path) -> None:
    (outlet,) = load_outlets(write(tmp_path, {"outlets": [{"id": "x", "name": "X", "base_url": "https://x.org"}]}))
    assert outlet.timezone == "UTC"
    assert outlet.base_url == "https://x.org/"
    assert outlet.sitemaps == [] and outlet.feeds == []
    assert outlet.rate.concurrency >= 1
    assert outlet.allow_private_addresses is False
    assert outlet.allowed_domains == ("x.org",)


@pytest.mark.parametrize(
    ("entry", "field", "fragment"),
    [
        ({"id": "Bad Id", "name": "n", "base_url": "https://x.org"}, "id", "not a valid id"),
        ({"id": "x", "name": "n", "base_url": "ftp://x.org"}, "base_url", "not an http(s) URL"),
        ({"id": "x", "name": "n", "base_url": "https://x.org", "timezone": "Mars/Base"}, "timezone", "unknown time zone"),
        ({"id": "x", "name": "n", "base_url": "https://x.org", "article_url_patterns": ["("]}, "article_url_patterns", "invalid regex"),
        ({"id": "x", "name": "n", "base_url": "https://x.org", "boilerplate": {"drop_selectors": ["div[["]}}, "boilerplate.drop_selectors", "invalid CSS selector"),
        ({"id": "x", "name": "n", "base_url": "https://x.org", "rate": {"concurrency": 0}}, "rate.concurrency", "greater than or equal to 1"),
        ({"id": "x", "name": "n", "base_url": "https://x.org", "colour": "red"}, "colour", "not a known field"),
        ({"id": "x", "base_url": "https://x.org"}, "name", "is required"),
    ],
)
def test_errors_name_file_outlet_and_field(tmp_path: Path, entry: dict, field: str, fragment: str) -> None:
    path = write(tmp_path, {"outlets": [{"id": "ok", "name": "OK", "base_url": "https://ok.org"}, entry]})
    with pytest.raises(ConfigError) as info:
        load_outlets(path)
    message = str(info.value)
    assert message.startswith(f"{path}: outlet ")
    assert "#2" in message
    assert f"field {field!r}" in message
    assert fragment in message


def test_duplicate_ids_rejected() -> None:
    data = {"outlets": [{"id": "a", "name": "A", "base_url": "https://a.org"}] * 2}
    with pytest.raises(ConfigError, match="duplicate id 'a'"):
        parse_outlets(data, "f.yaml")


@pytest.mark.parametrize("text", ["outlets: [", "just a string", "outlets: {a: 1}"])
def test_malformed_files(tmp_path: Path, text: str) -> None:
    path = tmp_path / "outlets.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=str(path)):
        load_outlets(path)


def test_select_outlets() -> None:
    outlets = parse_outlets({"outlets": [{"id": i, "name": i, "base_url": f"https://{i}.org"} for i in "abc"]})
    assert [o.id for o in select_outlets(outlets)] == ["a", "b", "c"]
    assert [o.id for o in select_outlets(outlets, ["c", "a"])] == ["c", "a"]
    with pytest.raises(UnknownOutletError, match="unknown outlet id"):
        select_outlets(outlets, ["zz"])
