"""core: the base layer every other package stands on, importing nothing of the project.

- :mod:`core.settings` — every setting and its default (``NEWSARCHIVE_*``), secret redaction;
- :mod:`core.registry` — the outlet registry (pydantic models): everything else receives an ``Outlet``;
- :mod:`core.urls` — URL identity (:func:`~core.urls.canonical_url`) and outlet domains;
- :mod:`core.dates` — dates: ISO/RFC parsing, Wayback timestamps, days, the date window, Retry-After;
- :mod:`core.errors` — the exception hierarchy.

Layers (arrows point down only; ``tests/test_layers.py`` enforces them)::

    newsarchive (CLI, demo, jobs, orchestration)  ·  dags/
    crawler (Scrapy)  ·  history (Wayback Machine, CC-NEWS)
    ingest (page identity, article decision, templates, discovery parsers, tally, summary)
    extract  ·  archive
    core
"""
