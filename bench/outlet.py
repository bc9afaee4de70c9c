"""The demo outlet served from a process of its own, so its CPU is never counted in a measured child.

:class:`OutletProcess` builds the corpus and serves it in a spawned process, and answers the bench
driver over a pipe: the request log (what a crawler fetched), a reset of it, the server's CPU seconds,
and the HTML of chosen pages written to a file (for baselines that need no HTTP).
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

__all__ = ["OutletProcess"]



def _render(server: Any, paths: Sequence[str], out: Path) -> int:
    """Write the HTML the server sends for ``paths`` (as :func:`bench.trafilatura_alone.write_pages`)."""
    from bench.trafilatura_alone import write_pages
    from outlet_server.site import Request

    def pages() -> Iterator[tuple[str, bytes]]:
        for path in paths:
            response = server.site.respond(Request("GET", path, {}))
            yield server.url(path), response.body

    with out.open("wb") as stream:
        return write_pages(stream, pages())


def _serve_outlet(conn: Any, seed: int, n_articles: int, outlet_id: str, public_host: str | None) -> None:
    """Child process body: serve the corpus and answer the parent's commands until "stop"."""
    from outlet_server import OutletServer, build_corpus
    from outlet_server.site import Site

    corpus = build_corpus(seed=seed, n_articles=n_articles)
    with OutletServer(corpus, host="127.0.0.1", port=0) as server:
        if public_host:  # links and sitemaps name the outlet by a host name (bench.hosts_shim maps it back)
            server.base_url = f"http://{public_host}:{server.port}/"
            server.site = Site(corpus, server.base_url, server.faults)
        conn.send({
            "base_url": server.base_url,
            "outlet": server.outlet_yaml(id=outlet_id),
            "article_paths": [a.path for a in corpus.articles],
            "start": corpus.start.isoformat(),
            "end": corpus.end.isoformat(),
        })
        while True:
            command = conn.recv()
            if command == "requests":
                conn.send([tuple(r) for r in server.requests])
            elif command == "reset":
                server.reset_log()
                conn.send(True)
            elif command == "cpu":
                conn.send(time.process_time())
            elif isinstance(command, tuple) and command[0] == "render":
                conn.send(_render(server, command[1], Path(command[2])))
            else:
                break


class OutletProcess:
    """The demo outlet served from a separate process, so its CPU is never counted in a measured child.

    ``outlet`` is the registry entry (dict), ``requests()`` the server's request log as
    ``(method, path, status)`` tuples, ``reset_log()`` clears it. With ``public_host`` the pages name
    the outlet ``http://<public_host>:<port>/`` (for peers that refuse IP hosts; see bench.hosts_shim).
    """

    def __init__(self, n_articles: int, *, seed: int = 7, outlet_id: str = "bench",
                 public_host: str | None = None) -> None:
        self.n_articles = n_articles
        self.seed = seed
        context = multiprocessing.get_context("spawn")
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(
            target=_serve_outlet, args=(child_conn, seed, n_articles, outlet_id, public_host), daemon=True,
            name=f"outlet-{n_articles}",
        )
        self._process.start()
        child_conn.close()  # the child's end: if the child dies, recv() raises EOFError instead of waiting forever
        info = self._conn.recv()
        self.base_url: str = info["base_url"]
        self.outlet: dict[str, Any] = info["outlet"]
        self.article_paths: list[str] = info["article_paths"]
        self.start: str = info["start"]
        self.end: str = info["end"]

    def requests(self) -> list[tuple[str, str, int]]:
        self._conn.send("requests")
        return [tuple(r) for r in self._conn.recv()]  # type: ignore[misc]

    def reset_log(self) -> None:
        self._conn.send("reset")
        self._conn.recv()

    def render(self, paths: Sequence[str], out: Path) -> int:
        """Have the server write the HTML of ``paths`` to ``out`` (for baselines that need no HTTP)."""
        self._conn.send(("render", list(paths), str(out)))
        return int(self._conn.recv())

    def cpu_s(self) -> float:
        self._conn.send("cpu")
        return float(self._conn.recv())

    def stop(self) -> None:
        if self._process.is_alive():
            with suppress(BrokenPipeError, OSError):
                self._conn.send("stop")
            self._process.join(timeout=10)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join(timeout=5)

    def __enter__(self) -> OutletProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
