"""Building a small local news site for tests: article pages and an RSS feed."""
import datetime as dt
import html
from email.utils import format_datetime

from conftest import REPO


def seed_page(seed_prefix: str) -> tuple[str, str]:
    """(title, HTML page) made from a bundled seed article, with page furniture around it."""
    path = next((REPO / "seeds").glob(f"{seed_prefix}_*.txt"))
    title, _, body = path.read_text(encoding="utf-8").partition("\n")
    return title.strip(), article_page(title.strip(), [p for p in body.split("\n") if p.strip()])


def article_page(title: str, paragraphs: list[str]) -> str:
    paras = "".join(f"<p>{html.escape(p.strip())}</p>\n" for p in paragraphs)
    return (f"<html><head><title>{html.escape(title)}</title></head><body>"
            f"<nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>"
            f"<article><h1>{html.escape(title)}</h1>{paras}</article>"
            f"<footer>Copyright the publisher</footer></body></html>")


def rss(site, items: list[tuple[str, str, dt.datetime]]) -> str:
    """An RSS 2.0 feed of (title, path, published) items on this site."""
    entries = "".join(
        f"<item><title>{html.escape(t)}</title><link>{site.url(p)}</link>"
        f"<pubDate>{format_datetime(d)}</pubDate><guid>{site.url(p)}</guid></item>" for t, p, d in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Defence wire</title>'
            f"<link>{site.url('/')}</link><description>d</description>{entries}</channel></rss>")


def local_feeds(path, feeds: dict[str, str], settings: str = "", feed_settings: str = ""):
    """A feeds file for feeds served on 127.0.0.1: private addresses allowed, no rate limit to speak of, the
    TOML lines of ``settings`` added, and one [[feed]] per name -> url (with ``feed_settings`` in each)."""
    path.write_text("allow_private_addresses = true\nmax_requests_per_host_per_minute = 6000\n" + settings +
                    "".join(f'[[feed]]\nname = "{name}"\nurl = "{url}"\n{feed_settings}' for name, url in feeds.items()),
                    encoding="utf-8")
    return path
