# The newsarchive Airflow image: Python 3.11, the project and Airflow 3.3 from uv.lock, nothing else.
#
#   docker build -t newsarchive-airflow .        (docker compose builds it for you)
#
# Airflow itself is a dependency of the project, so the one lock file pins the scheduler,
# the workers and the crawler alike; the `airflow-stack` extra adds what the compose stack
# needs on top (Celery executor, PostgreSQL driver).
ARG PYTHON_VERSION=3.11

FROM python:${PYTHON_VERSION}-slim-bookworm AS build
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/newsarchive/venv
WORKDIR /src
# Dependencies first (cached until uv.lock changes), then the project itself.
COPY pyproject.toml uv.lock README.md ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-install-project --extra airflow-stack
COPY core ./core
COPY ingest ./ingest
COPY history ./history
COPY newsarchive ./newsarchive
COPY crawler ./crawler
COPY extract ./extract
COPY archive ./archive
COPY outlet_server ./outlet_server
COPY loopback_servers ./loopback_servers
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable --extra airflow-stack

FROM python:${PYTHON_VERSION}-slim-bookworm
ARG AIRFLOW_UID=50000
RUN useradd --uid "${AIRFLOW_UID}" --gid 0 --home-dir /opt/airflow --create-home airflow \
    && mkdir -p /opt/airflow/dags /opt/airflow/logs /opt/newsarchive \
    && chown -R "${AIRFLOW_UID}:0" /opt/airflow /opt/newsarchive
COPY --from=build /opt/newsarchive/venv /opt/newsarchive/venv
ENV PATH=/opt/newsarchive/venv/bin:$PATH \
    AIRFLOW_HOME=/opt/airflow \
    NEWSARCHIVE_SPOOL_DIR=/opt/airflow/spool \
    PYTHONUNBUFFERED=1
USER ${AIRFLOW_UID}
WORKDIR /opt/airflow
ENTRYPOINT ["airflow"]
CMD ["version"]
