"""The demo outlet: a deterministic fake news site served on 127.0.0.1 for ``newsarchive demo`` and the tests.

Build a corpus, serve it, crawl it, compare with the gold::

    corpus = build_corpus(seed=7, n_articles=60)
    with OutletServer(corpus, faults=Faults(gone=True)) as server:
        server.url(corpus.seed_article)      # absolute URL of the seed article
        corpus.seed_article.gold(server.base_url)
"""

from outlet_server.corpus import SITE_NAME, TEMPLATE_LINES, ArticleSpec, Corpus, build_corpus
from outlet_server.faults import Faults
from outlet_server.seed import load_seed
from outlet_server.server import OutletServer, RequestRecord

__all__ = [
    "SITE_NAME",
    "TEMPLATE_LINES",
    "ArticleSpec",
    "Corpus",
    "Faults",
    "OutletServer",
    "RequestRecord",
    "build_corpus",
    "load_seed",
]
