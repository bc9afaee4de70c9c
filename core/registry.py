"""The outlet registry: a YAML file of outlets, validated into :class:`Outlet` models.

Every other module receives an :class:`Outlet`, never raw YAML. A mistake in the
file is reported as one :class:`~core.errors.ConfigError` that names the
file, the outlet and the field::

    outlets.yaml: outlet 'example' (#2): field 'timezone': unknown time zone 'Mars/Base'

Format (see ``outlets.example.yaml``)::

    outlets:
      - id: example                 # [a-z0-9_-]+
        name: Example News
        base_url: https://www.example.com/
        language: en
        timezone: Europe/London     # default UTC
        sitemaps: []                # default: robots.txt Sitemap lines, else /sitemap.xml
        feeds: []
        sections: []
        article_url_patterns: []    # regexes; when given, only matching URLs are articles
        exclude_url_patterns: []
        boilerplate: {drop_paragraphs: [], drop_selectors: []}
        rate: {concurrency: 4, delay_s: 0.5}
        allow_private_addresses: false
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.errors import ConfigError, UnknownOutletError

__all__ = ["Boilerplate", "Outlet", "Rate", "load_outlets", "parse_outlets", "select_outlets"]

_ID = re.compile(r"^[a-z0-9_-]+$")


def _check_regexes(values: list[str]) -> list[str]:
    for pattern in values:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regex {pattern!r}: {exc}") from None
    return values


class Boilerplate(BaseModel):
    """Per-outlet boilerplate rules, applied by ``extract`` beside its built-in rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    drop_paragraphs: list[str] = Field(default_factory=list, description="regexes; a matching paragraph is dropped")
    drop_selectors: list[str] = Field(default_factory=list, description="CSS selectors removed before extraction")

    @field_validator("drop_paragraphs")
    @classmethod
    def _regexes(cls, values: list[str]) -> list[str]:
        return _check_regexes(values)

    @field_validator("drop_selectors")
    @classmethod
    def _selectors(cls, values: list[str]) -> list[str]:
        from cssselect import GenericTranslator, SelectorError  # scrapy/parsel dependency

        for selector in values:
            try:
                GenericTranslator().css_to_xpath(selector)
            except SelectorError as exc:
                raise ValueError(f"invalid CSS selector {selector!r}: {exc}") from None
        return values


class Rate(BaseModel):
    """How hard the crawler may press one outlet."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    concurrency: int = Field(4, ge=1, le=64)
    delay_s: float = Field(0.5, ge=0, le=600)


class Outlet(BaseModel):
    """One news outlet, as the registry declares it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    base_url: str
    language: str = "en"
    timezone: str = "UTC"
    sitemaps: list[str] = Field(default_factory=list)
    feeds: list[str] = Field(default_factory=list)
    sections: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list, description="extra domains that belong to the outlet")
    article_url_patterns: list[str] = Field(default_factory=list)
    exclude_url_patterns: list[str] = Field(default_factory=list)
    boilerplate: Boilerplate = Field(default_factory=Boilerplate)
    rate: Rate = Field(default_factory=Rate)
    allow_private_addresses: bool = False

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"{value!r} is not a valid id: use lower-case letters, digits, '_' and '-'")
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value if parts.path else value + "/"

    @field_validator("sitemaps", "feeds", "sections")
    @classmethod
    def _urls(cls, values: list[str]) -> list[str]:
        for value in values:
            parts = urlsplit(value)
            if parts.scheme and parts.scheme not in ("http", "https"):
                raise ValueError(f"{value!r} is not an http(s) URL")
        return values

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("article_url_patterns", "exclude_url_patterns")
    @classmethod
    def _patterns(cls, values: list[str]) -> list[str]:
        return _check_regexes(values)

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def allowed_domains(self) -> tuple[str, ...]:
        """Hosts (with port when not default) that belong to the outlet, ``www.`` stripped."""
        from core.urls import registered_host

        hosts = [registered_host(self.base_url), *(d.lower().removeprefix("www.") for d in self.domains)]
        return tuple(dict.fromkeys(hosts))

    def absolute(self, url: str) -> str:
        """``url`` resolved against the outlet's base URL."""
        from urllib.parse import urljoin

        return urljoin(self.base_url, url)


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def parse_outlets(data: Any, source: str = "<outlets>") -> list[Outlet]:
    """Validate already-loaded YAML data (``{"outlets": [...]}``) into outlets.

    Every problem is found, not only the first: the :class:`ConfigError` lists them all (one per
    outlet field, ``; ``-separated) and carries them in ``problems``.
    """
    if not isinstance(data, dict) or not isinstance(data.get("outlets"), list):
        raise ConfigError(f"{source}: expected a mapping with a list under 'outlets'")
    outlets: list[Outlet] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, item in enumerate(data["outlets"], start=1):
        label = f"outlet #{number}"
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            label = f"outlet {item['id']!r} (#{number})"
        if not isinstance(item, dict):
            problems.append(f"{label}: expected a mapping of fields")
            continue
        try:
            outlet = Outlet.model_validate(item)
        except ValidationError as exc:
            for error in exc.errors():
                field = _location(error["loc"]) or "?"
                message = error["msg"].removeprefix("Value error, ")
                if error["type"] == "missing":
                    message = "is required"
                elif error["type"] == "extra_forbidden":
                    message = "is not a known field"
                problems.append(f"{label}: field {field!r}: {message}")
            continue
        if outlet.id in seen:
            problems.append(f"{label}: field 'id': duplicate id {outlet.id!r}")
        seen.add(outlet.id)
        outlets.append(outlet)
    if problems:
        count = f"{len(problems)} problems: " if len(problems) > 1 else ""
        raise ConfigError(f"{source}: {count}" + "; ".join(problems), [f"{source}: {p}" for p in problems])
    return outlets


def load_outlets(path: str | Path) -> list[Outlet]:
    """Read and validate the outlets file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: outlets file not found (set --outlets or NEWSARCHIVE_OUTLETS)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read outlets file: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:  # the file and line, not PyYAML's "<unicode string>"
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ConfigError(f"{where}: not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    return parse_outlets(data, source=str(path))


def select_outlets(outlets: Iterable[Outlet], ids: Iterable[str] = ()) -> list[Outlet]:
    """The outlets named by ``ids`` (all when empty), in registry order."""
    outlets = list(outlets)
    wanted = list(ids)
    if not wanted:
        return outlets
    by_id = {o.id: o for o in outlets}
    unknown = [i for i in wanted if i not in by_id]
    if unknown:
        raise UnknownOutletError(f"unknown outlet id(s): {', '.join(unknown)}; known: {', '.join(by_id) or 'none'}")
    return [by_id[i] for i in wanted]
