# newsarchive — every task a developer or CI runs. Bootstraps uv on a fresh machine.
# `make demo` runs the main job on embedded defaults; `make test` runs every test, lint and types.

SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RUN := $(UV) run --locked
PACKAGES := core extract archive ingest crawler history newsarchive outlet_server loopback_servers
DEMO_ARCHIVE ?= demo-archive

.PHONY: bootstrap system-deps demo test lint typecheck pytest bench stack clean

# --compile-bytecode: byte code written once at install. Where PYTHONDONTWRITEBYTECODE is set (the CI
# machines set it), every process would otherwise compile what it imports from source each time: 2.4 CPU-s
# more per Airflow task runner or CLI call (`import airflow.sdk`: 4.3 s uncompiled, 1.9 s compiled).
# Up-to-date files are skipped, so a second bootstrap costs ~0.5 s.
bootstrap:  ## install uv if missing, then the locked environment
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --locked --compile-bytecode
	@$(UV) sync --locked --quiet --compile-bytecode --project tools/pywb  # pywb for the replay test, in its own pinned environment
	@# This checkout's own modules, compiled once too: where PYTHONDONTWRITEBYTECODE is set (CI), every process
	@# (a crawl child, an Airflow task's DAG parse) compiled them from source again: 0.19 CPU-s each.
	@$(RUN) python -m compileall -q -j 0 -x '/\.venv/' $(PACKAGES) dags bench tools

system-deps:  ## Debian's headless Chromium and its driver for the browser test of `serve` (installed only when missing)
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then echo "chromium and chromedriver present"; \
	else SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium chromium-driver; fi

demo: bootstrap  ## serve the demo outlet on 127.0.0.1, crawl, extract and archive it into ./demo-archive (DEMO_ARCHIVE=...)
	$(RUN) newsarchive demo --archive $(DEMO_ARCHIVE)

lint: bootstrap
	$(RUN) ruff check .

typecheck: bootstrap
	$(RUN) mypy

pytest: bootstrap  ## both cores: most tests wait on subprocesses and servers; one file stays on one worker
	$(RUN) pytest -n 2 --dist loadfile

test: lint typecheck pytest  ## the whole suite: lint, types, tests

bench: bootstrap  ## benchmarks (not tests): ratios against baselines measured in the same run
	$(RUN) python -m bench

stack: bootstrap  ## Airflow on the CeleryExecutor (api-server, scheduler, dag-processor, triggerer, 2 workers) on local PostgreSQL + Redis; Ctrl-C stops it
	$(RUN) python -m tools.stack

clean:
	rm -rf .stack demo-archive demo-archive-outlets.yaml .pytest_cache .mypy_cache .ruff_cache
