"""A real browser (Debian's headless Chromium, driven by Selenium through chromedriver) against a running server.

Loads every page, runs a search, opens an article, diffs its two versions, opens the raw capture of
the planted hostile page and checks that none of its scripts ran and that nothing it references
was fetched (every such URL points at a listener that records hits). Screenshots go to a temporary
folder, or to ``--screenshots DIR``: ``uv run pytest tests/newsarchive/serve/test_browser.py --screenshots
docs/screenshots`` refreshes the README's. Skipped, with what to install, where Chromium is absent.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.search import Query
from newsarchive.serve import create_app
from tests.newsarchive.serve.conftest import CORRECTION, XSS_TITLE, BrowseArchive

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="browser test: install Debian's chromium and chromium-driver (make system-deps)",
)


@pytest.fixture(scope="module")
def server(browse_archive: BrowseArchive) -> Iterator[str]:
    import uvicorn

    index = browse_archive.index()
    index.update()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(browse_archive.open(), index), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="newsarchive-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", "--window-size=1400,1000"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for(driver, css: str, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))


@pytest.fixture(scope="module")
def screenshots(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = request.config.getoption("--screenshots")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(driver, folder: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    path = folder / f"{name}.png"
    assert driver.save_screenshot(str(path)), f"no screenshot of {name}"
    assert path.read_bytes().startswith(b"\x89PNG"), f"{path} is not a PNG"


def test_pages_search_article_diff_and_sandboxed_capture(browser, server: str, browse_archive: BrowseArchive,
                                                         screenshots: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver = browser
    listener = browse_archive.listener
    listener.hits.clear()

    driver.get(server + "/")
    wait_for(driver, "svg.heatmap rect")
    assert "Overview" in driver.title
    shoot(driver, screenshots, "overview")

    driver.get(server + "/runs")
    wait_for(driver, "#runs tbody tr")
    shoot(driver, screenshots, "runs")

    driver.get(server + "/search")
    box = wait_for(driver, "#q")
    box.send_keys('bridge OR harbour OR "Witnesses described"')
    driver.find_element(By.CSS_SELECTOR, "#search-form button[type=submit]").click()
    wait_for(driver, "#summary")
    deadline = time.monotonic() + 10
    while "q=" not in driver.current_url and time.monotonic() < deadline:  # htmx pushes the query into the URL
        time.sleep(0.1)
    assert "q=bridge" in driver.current_url
    assert driver.find_elements(By.CSS_SELECTOR, "li.hit mark")
    shoot(driver, screenshots, "search")

    index = browse_archive.index()
    edited = next(h for h in index.search(Query('"reopens on Monday"')).hits)
    driver.get(f"{server}/article?key={edited.key}")
    wait_for(driver, "#diff-form")
    versions = driver.find_elements(By.CSS_SELECTOR, "#versions li")
    assert len(versions) == 2
    Select(driver.find_element(By.NAME, "a")).select_by_index(0)
    Select(driver.find_element(By.NAME, "b")).select_by_index(1)
    driver.find_element(By.ID, "diff-button").click()
    inserted = wait_for(driver, ".difftext ins")
    assert "reopens on Monday" in inserted.text and CORRECTION.strip()[:10] in inserted.text
    driver.execute_script("document.getElementById('diff-form').scrollIntoView()")
    shoot(driver, screenshots, "article-diff")

    xss = index.search(Query("resigns")).hits[0]
    driver.get(f"{server}/article?key={xss.key}")
    heading = wait_for(driver, "#article-title")
    assert heading.text == XSS_TITLE and driver.title == f"{XSS_TITLE} · newsarchive"  # text, never run
    assert "onerror" in driver.find_element(By.ID, "article-text").text  # shown as text, not an element
    shoot(driver, screenshots, "article-xss")

    hostile = index.search(Query("harbour")).hits[0]
    driver.get(f"{server}/raw?key={hostile.key}")
    wait_for(driver, "iframe#capture")
    time.sleep(2)  # give any script, image or beacon of the capture time to run
    assert driver.title.startswith("Raw capture: Harbour fire")
    shoot(driver, screenshots, "raw-capture")
    driver.get(f"{server}/capture?key={hostile.key}")  # the capture opened on its own, outside the iframe
    time.sleep(2)
    assert driver.title == "Harbour fire <planted>", driver.title  # its own title: no script changed it
    assert listener.hits == [], f"the sandbox let requests out: {listener.hits}"
