"""The spiders of newsarchive: one generic spider, configured per outlet."""

from crawler.spiders.news import NewsSpider

__all__ = ["NewsSpider"]
