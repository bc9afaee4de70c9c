"""``python -m outlet_server --seed 7 --articles 60 --port 8000``: serve the demo outlet until Ctrl-C."""

from __future__ import annotations

import argparse
from dataclasses import fields

from outlet_server.corpus import build_corpus
from outlet_server.faults import Faults
from outlet_server.server import OutletServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m outlet_server", description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--articles", type=int, default=60, help="number of articles (at least 2)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback only by default)")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    names = [f.name for f in fields(Faults) if f.type in (bool, "bool")]
    parser.add_argument("--fault", action="append", default=[], choices=names, help="switch a fault on (repeatable)")
    parser.add_argument("--all-faults", action="store_true", help="switch every fault on")
    args = parser.parse_args(argv)
    if args.articles < 2:
        parser.error("--articles must be at least 2")
    faults = Faults.all() if args.all_faults else Faults(**{name: True for name in args.fault})
    server = OutletServer(build_corpus(seed=args.seed, n_articles=args.articles), faults, args.host, args.port)
    print(server.base_url, flush=True)
    server.serve_forever()  # until Ctrl-C; the server closes itself
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
