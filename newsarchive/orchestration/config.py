"""Configuration of the Airflow DAGs, resolved the way Airflow operators expect.

Where each value comes from, first match wins:

=================  ===============================================  ==========================
value              Airflow                                          environment
=================  ===============================================  ==========================
archive URI        Variable ``newsarchive_archive``                 ``NEWSARCHIVE_ARCHIVE``
outlets file       Variable ``newsarchive_outlets``                 ``NEWSARCHIVE_OUTLETS``
S3 connection id   Variable ``newsarchive_aws_conn_id``             ``NEWSARCHIVE_AWS_CONN_ID``
=================  ===============================================  ==========================

(An Airflow Variable can itself come from the environment as ``AIRFLOW_VAR_NEWSARCHIVE_ARCHIVE``.)
The environment side is :class:`~core.settings.Settings`; the archive and the outlets file must be
set explicitly (the CLI's defaults, relative to a working directory, mean nothing on a worker),
the connection id defaults to ``Settings.aws_conn_id``.

S3 credentials are never settings: they come from an Airflow connection of type
``aws`` (login = access key id, password = secret key, extra ``{"endpoint_url": ...,
"region_name": ...}`` for MinIO/SeaweedFS), default id ``newsarchive_s3``. They are
handed to the crawl subprocess as the standard ``AWS_*`` variables — never on a
command line, never in an XCom, never in a log line (Airflow masks the secret, and
:func:`core.settings.redact` scrubs anything the subprocess prints). When the
connection does not exist, the subprocess falls back to boto3's own chain (instance
role, ``AWS_*`` variables of the worker).

Task defaults (retries, timeouts) are read at DAG parse time from the ``dag_*`` settings
(``NEWSARCHIVE_DAG_*``) so that a deployment or a test can tune them without editing DAGs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from core.errors import ConfigError
from core.settings import Settings

__all__ = [
    "CRAWL_POOL",
    "POOLS",
    "VARIABLE_ARCHIVE",
    "VARIABLE_AWS_CONN_ID",
    "VARIABLE_OUTLETS",
    "WAYBACK_POOL",
    "OrchestrationConfig",
    "Pool",
    "TaskDefaults",
    "airflow_variable",
    "aws_env_from_connection",
    "resolve_config",
]

VARIABLE_ARCHIVE = "newsarchive_archive"
VARIABLE_OUTLETS = "newsarchive_outlets"
VARIABLE_AWS_CONN_ID = "newsarchive_aws_conn_id"


@dataclass(frozen=True)
class Pool:
    """An Airflow pool the DAGs use; create it before unpausing them (see docs/orchestration.md)."""

    name: str
    slots: int
    description: str


#: Live crawls of outlet sites, all DAGs together: size it to the Celery worker slots you give crawls.
CRAWL_POOL = Pool("newsarchive_crawl", 16, "newsarchive: concurrent live crawls (one outlet each)")
#: Snapshot ingestion from the Wayback Machine, whose CDX API is rate limited per client.
WAYBACK_POOL = Pool("newsarchive_wayback", 2, "newsarchive: concurrent Wayback snapshot ingestions")
POOLS: tuple[Pool, ...] = (CRAWL_POOL, WAYBACK_POOL)

#: Reads one Airflow Variable (``None`` when unset). Injected so the resolution is testable.
VariableGetter = Callable[[str], "str | None"]


@dataclass(frozen=True)
class OrchestrationConfig:
    """What every task needs to know: where outlets are declared and where the archive lives."""

    archive_uri: str
    outlets_path: Path
    aws_conn_id: str = Settings.aws_conn_id
    settings: Settings = field(default_factory=Settings)

    def load_outlets(self) -> list[Any]:
        """The validated outlets of the registry file (raises :class:`ConfigError`)."""
        from core.registry import load_outlets

        return load_outlets(self.outlets_path)

    def outlet(self, outlet_id: str) -> Any:
        """One outlet of the registry by id (raises :class:`~core.errors.UnknownOutletError`)."""
        from core.registry import select_outlets

        return select_outlets(self.load_outlets(), [outlet_id])[0]


def airflow_variable(name: str) -> str | None:
    """The Airflow Variable ``name``, or ``None`` when unset (or when not inside Airflow)."""
    try:
        from airflow.sdk import Variable
    except ImportError:  # pragma: no cover - Airflow is a project dependency
        return None
    try:
        value = Variable.get(name, default=None)
    except Exception:  # no API server / metadata DB reachable: not running inside a task
        return None
    return None if value in (None, "") else str(value)


def resolve_config(
    variables: VariableGetter = airflow_variable, environ: Mapping[str, str] | None = None
) -> OrchestrationConfig:
    """Resolve :class:`OrchestrationConfig` from Airflow Variables, then the environment's settings."""
    from_env = Settings.read_environment(os.environ if environ is None else environ)
    archive = variables(VARIABLE_ARCHIVE) or from_env.get("archive")
    outlets = variables(VARIABLE_OUTLETS) or from_env.get("outlets")
    missing = [
        f"{what} (Variable {var!r} or ${env_name})"
        for what, var, env_name, value in (
            ("archive URI", VARIABLE_ARCHIVE, "NEWSARCHIVE_ARCHIVE", archive),
            ("outlets file", VARIABLE_OUTLETS, "NEWSARCHIVE_OUTLETS", outlets),
        )
        if not value
    ]
    if missing:
        raise ConfigError("newsarchive DAGs are not configured: set " + " and ".join(missing))
    assert archive is not None and outlets is not None
    settings = Settings(**from_env).with_overrides(
        archive=archive, outlets=Path(outlets), aws_conn_id=variables(VARIABLE_AWS_CONN_ID) or None
    )
    return OrchestrationConfig(
        archive_uri=settings.archive, outlets_path=settings.outlets, aws_conn_id=settings.aws_conn_id,
        settings=settings,
    )


def aws_env_from_connection(conn_id: str) -> dict[str, str]:
    """``AWS_*`` variables for boto3 from the Airflow ``aws`` connection ``conn_id``.

    Returns ``{}`` when the connection does not exist (boto3's default chain applies).
    The secret is registered with Airflow's log masker before it is returned.
    """
    from airflow.providers.amazon.aws.hooks.base_aws import AwsGenericHook

    try:
        from airflow.sdk.exceptions import AirflowNotFoundException
    except ImportError:  # pragma: no cover
        from airflow.exceptions import AirflowNotFoundException

    hook: AwsGenericHook[Any] = AwsGenericHook(aws_conn_id=conn_id, client_type="s3")
    try:
        hook.get_connection(conn_id)
    except AirflowNotFoundException:
        return {}
    wrapper = hook.conn_config
    credentials = hook.get_credentials()
    env: dict[str, str] = {}
    if credentials.access_key and credentials.secret_key:
        _mask(credentials.secret_key)
        env["AWS_ACCESS_KEY_ID"] = credentials.access_key
        env["AWS_SECRET_ACCESS_KEY"] = credentials.secret_key
    if credentials.token:
        _mask(credentials.token)
        env["AWS_SESSION_TOKEN"] = credentials.token
    endpoint = wrapper.get_service_endpoint_url("s3")
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
        env["AWS_ENDPOINT_URL_S3"] = endpoint
    if wrapper.region_name:
        env["AWS_DEFAULT_REGION"] = wrapper.region_name
        env["AWS_REGION"] = wrapper.region_name
    return env


def _mask(secret: str) -> None:
    try:
        from airflow.sdk.log import mask_secret
    except ImportError:  # pragma: no cover
        return
    mask_secret(secret)


@dataclass(frozen=True)
class TaskDefaults:
    """Retries with exponential backoff and timeouts of the crawl tasks.

    From the ``dag_*`` settings: ``dag_retries``, ``dag_retry_delay_s``, ``dag_max_retry_delay_s``,
    ``dag_crawl_timeout_s`` and ``dag_max_parallel_crawls`` (mapped crawls at once per run).
    """

    retries: int
    retry_delay: timedelta
    max_retry_delay: timedelta
    crawl_timeout: timedelta
    max_parallel_crawls: int

    @classmethod
    def from_settings(cls, settings: Settings) -> TaskDefaults:
        return cls(
            retries=settings.dag_retries,
            retry_delay=timedelta(seconds=settings.dag_retry_delay_s),
            max_retry_delay=timedelta(seconds=settings.dag_max_retry_delay_s),
            crawl_timeout=timedelta(seconds=settings.dag_crawl_timeout_s),
            max_parallel_crawls=settings.dag_max_parallel_crawls,
        )

    def default_args(self) -> dict[str, Any]:
        """``default_args`` for a DAG: every task retries with exponential backoff."""
        return {
            "owner": "newsarchive",
            "retries": self.retries,
            "retry_delay": self.retry_delay,
            "retry_exponential_backoff": 2.0,
            "max_retry_delay": self.max_retry_delay,
        }
