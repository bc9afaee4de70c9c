"""Discovery: where a news outlet lists its articles — robots.txt, sitemaps, feeds, sections.

Pure parsers (bytes in, URLs and dates out), safe against hostile input and free
of Scrapy, so the spider, the sitemap backfill and the tests share them.
"""

from ingest.discovery.feeds import Feed, FeedEntry, looks_like_feed, parse_feed
from ingest.discovery.sections import Listing, page_number, parse_listing
from ingest.discovery.sitemaps import Sitemap, SitemapEntry, parse_sitemap, robots_sitemaps
from ingest.discovery.xmlsafe import XmlTooLarge, parse_xml

__all__ = [
    "Feed",
    "FeedEntry",
    "Listing",
    "Sitemap",
    "SitemapEntry",
    "XmlTooLarge",
    "looks_like_feed",
    "page_number",
    "parse_feed",
    "parse_listing",
    "parse_sitemap",
    "parse_xml",
    "robots_sitemaps",
]
