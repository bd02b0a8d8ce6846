"""Feed parsing: real feeds, broken feeds, misdeclared encodings; URL canonicalisation (sources/urls.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from httpserver import LocalSite

from newswatch.transforms.sources.feeds import ParsedFeed, parse_feed
from newswatch.transforms.sources.urls import canonical_url
from newswatch.transforms.sources.fetch import Fetcher, FetchPolicy

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
HARD = sorted(p.name for p in FEEDS.glob("hard_*.xml"))
NOW = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


def parse(name: str, url: str = "http://example.com/", content_type: str | None = None, **kwargs) -> ParsedFeed:
    return parse_feed((FEEDS / name).read_bytes(), url=url, content_type=content_type, now=NOW, **kwargs)


def test_all_hard_fixtures_are_present():
    assert len(HARD) == 7


@pytest.mark.parametrize("name", HARD)
def test_broken_feeds_yield_entries_or_a_clear_outcome(name):
    feed = parse(name)
    if feed.entries:
        return
    if feed.bozo:
        # malformed and nothing usable: an error naming the problem
        assert feed.error and feed.error.startswith("malformed feed, no")
        assert feed.bozo_reason and feed.bozo_reason in feed.error
    else:
        # well-formed but nothing usable: nothing to report beyond the skipped entries
        assert feed.error is None
    for skipped in feed.skipped_entries:
        assert skipped.reason


def test_incomplete_cdata():
    feed = parse("hard_incomplete_cdata.xml")
    assert feed.bozo and feed.entries == []
    assert feed.title == "can feedparser read this xml"
    assert len(feed.skipped_entries) == 1 and feed.skipped_entries[0].reason == "no link"
    assert "malformed feed, no usable entries" in feed.error


def test_invalid_bytes_with_bom():
    feed = parse("hard_invalid_bytes_with_bom.xml")
    assert feed.bozo and feed.entries == []
    assert feed.error.startswith("malformed feed, no entries recovered: ")
    assert "unclosed token" in feed.error


def test_undefined_entity_kept_literally():
    feed = parse("hard_undefined_entity.xml")
    assert feed.title == "testing &doesnotexist; entity"
    assert feed.bozo and "undefined entity" in feed.bozo_reason
    assert feed.error.startswith("malformed feed, no entries recovered")


def test_high_bit_date_does_not_crash():
    feed = parse("hard_high_bit_date.xml")
    assert feed.encoding == "iso-8859-7"
    assert feed.entries == [] and feed.skipped_entries == []
    assert feed.error is None and not feed.bozo  # an empty, well-formed channel


def test_koi8r_without_declaration_is_detected():
    feed = parse("hard_koi8r_no_encoding.xml")
    assert feed.bozo and "misdeclared" in feed.bozo_reason
    assert feed.encoding and "koi8" in feed.encoding.replace("-", "_").lower()
    # the only item has no link, so it is skipped, but its text is decoded right
    (skipped,) = feed.skipped_entries
    assert skipped.reason == "no link"
    assert "новогоднюю" in skipped.title


def test_latin1_without_declaration():
    feed = parse("uol_noticias_latin1_nodecl.rss")
    assert len(feed.entries) == 15
    assert feed.bozo and feed.bozo_reason  # the misdeclaration is recorded
    assert feed.error is None
    titles = " ".join(e.title for e in feed.entries)
    assert "simulações" in titles and "Ã" not in titles
    # Portuguese day names: dates unparseable -> unknown, never wrong
    assert all(e.published is None for e in feed.entries)


def test_latin1_declared_in_http_header_but_utf8_claimed():
    # the same Latin-1 bytes served as "charset=utf-8": still decoded right
    feed = parse("uol_noticias_latin1_nodecl.rss", content_type="application/rss+xml; charset=utf-8")
    titles = " ".join(e.title for e in feed.entries)
    assert "simulações" in titles


@pytest.mark.parametrize("name, content_type, word", [
    ("jn_pt_iso8859-1.rss", "application/rss+xml; charset=windows-1251", "Raríssimas"),
    ("guardian_us.rss", "text/html; charset=iso-8859-1", "president’s"),
    ("hard_koi8r_no_encoding.xml", "text/xml; charset=windows-1251", "новогоднюю"),
])
def test_wrong_http_charset_is_overruled(name, content_type, word):
    feed = parse(name, content_type=content_type)
    text = " ".join(f"{e.title} {e.summary}" for e in feed.entries)
    text += " ".join(s.title or "" for s in feed.skipped_entries)
    assert word in text
    assert feed.bozo and "misdeclared" in feed.bozo_reason


def test_declared_iso_8859_1():
    feed = parse("jn_pt_iso8859-1.rss")
    assert not feed.bozo and feed.encoding == "iso-8859-1"
    assert feed.title == "Jornal de Notícias - Últimas Notícias"
    assert feed.entries[0].title == "Mãe de utente é a nova presidente da Raríssimas"


def test_linenoise_does_not_crash():
    feed = parse("hard_linenoise_utf8.xml")
    assert feed.bozo and feed.entries == []
    assert len(feed.skipped_entries) == 1
    assert feed.error


def test_relative_xml_base_fixture():
    # the fixture's only entry has no link; it is skipped, with its (resolved, plain) title kept
    feed = parse("hard_relative_xml_base.xml", url="http://example.com/")
    assert not feed.bozo
    (skipped,) = feed.skipped_entries
    assert skipped.title == "Example test"


def test_relative_links_resolved_through_nested_xml_base():
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="world/">
  <title>Relative</title>
  <entry xml:base="2024/">
    <title>One</title><id>urn:one</id>
    <link rel="alternate" href="story.html?utm_source=rss&amp;id=7#comments"/>
    <updated>2024-03-01T10:00:00Z</updated>
  </entry>
  <entry>
    <title>Two</title><id>urn:two</id>
    <link href="/abs/two.html"/>
  </entry>
</feed>"""
    feed = parse_feed(body, url="https://news.example.com/feeds/main.xml", now=NOW)
    assert [e.url for e in feed.entries] == [
        "https://news.example.com/feeds/world/2024/story.html?id=7",
        "https://news.example.com/abs/two.html",
    ]
    assert feed.entries[0].published == dt.datetime(2024, 3, 1, 10, tzinfo=dt.timezone.utc)


def test_content_location_header_is_the_base():
    body = b'<rss version="2.0"><channel><item><title>x</title><link>a/b.html</link></item></channel></rss>'
    feed = parse_feed(body, url="https://feeds.example.com/x.rss",
                      headers={"Content-Location": "https://www.example.org/news/"}, now=NOW)
    assert feed.entries[0].url == "https://www.example.org/news/a/b.html"


@pytest.mark.parametrize("name, count", [
    ("guardian_us.rss", 55),
    ("heise_developer.atom", 15),
    ("jn_pt_iso8859-1.rss", 40),
    ("uol_noticias_latin1_nodecl.rss", 15),
    ("science_twis_rss1.rdf", 69),
    ("medium_content_encoded.rss", 7),
    ("blogger_feedburner.atom", 25),
    ("rss092_oreilly_odd_dates.rss", 2),
])
def test_real_feeds(name, count):
    feed = parse(name)
    assert feed.error is None
    assert len(feed.entries) == count
    for entry in feed.entries:
        assert entry.url.startswith(("http://", "https://"))
        assert entry.link and entry.title
        assert entry.published is None or entry.published.tzinfo is not None
        assert "utm_" not in entry.url and "#" not in entry.url


def test_entry_fields():
    entry = parse("guardian_us.rss").entries[0]
    assert entry.title == "Trump State of the Union address promised unity but emphasized discord"
    assert entry.url == ("https://www.theguardian.com/us-news/2018/jan/31/"
                         "donald-trump-state-of-the-union-address-unity-discord")
    assert entry.published == dt.datetime(2018, 1, 31, 7, 26, 5, tzinfo=dt.timezone.utc)
    assert entry.summary and "<" not in entry.summary
    assert entry.entry_id


def test_tracking_parameters_and_feedburner_links():
    heise = parse("heise_developer.atom").entries[0]
    assert "wt_mc=" in heise.link and "wt_mc" not in heise.url
    blogger = parse("blogger_feedburner.atom").entries[0]
    assert blogger.link.startswith("http://feedproxy.google.com/")
    assert blogger.url.startswith("http://googleadsdeveloper.blogspot.com/")  # feedburner:origLink
    medium = parse("medium_content_encoded.rss").entries[0]
    assert medium.url == "https://medium.com/invironment/the-creative-forager-125af37d838f"
    assert medium.content_html and "<" in medium.content_html


def test_absurd_dates_become_unknown():
    body = b"""<rss version="2.0"><channel>
<item><title>old</title><link>http://a.example/1</link><pubDate>Mon, 01 Jan 1973 00:00:00 GMT</pubDate></item>
<item><title>future</title><link>http://a.example/2</link><pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item>
<item><title>soon</title><link>http://a.example/3</link><pubDate>Wed, 01 Jan 2025 12:00:00 GMT</pubDate></item>
</channel></rss>"""
    feed = parse_feed(body, url="http://a.example/feed", now=NOW)
    assert [e.published for e in feed.entries] == [
        None, None, dt.datetime(2025, 1, 1, 12, tzinfo=dt.timezone.utc)]


def test_unusable_links_are_skipped_and_counted():
    body = b"""<rss version="2.0"><channel><title>t</title>
<item><title>js</title><link>javascript:alert(1)</link></item>
<item><title>none</title></item>
<item><title>ok</title><link>http://a.example/ok</link></item>
<item><title>dup</title><link>http://a.example/ok?utm_medium=x</link></item>
</channel></rss>"""
    feed = parse_feed(body, url="http://a.example/feed", now=NOW)
    assert [e.title for e in feed.entries] == ["ok"]
    reasons = [(s.title, s.reason) for s in feed.skipped_entries]
    assert reasons[0][0] == "js" and "not an http(s) URL" in reasons[0][1]
    assert reasons[1] == ("none", "no link")
    assert len(reasons) == 2 and feed.duplicate_entries == 1  # the same page again: counted, not an error


def test_not_a_feed():
    feed = parse_feed(b"<html><body><p>Hello</p></body></html>", url="http://a.example/", now=NOW)
    assert feed.entries == [] and feed.error


def test_empty_body():
    feed = parse_feed(b"", url="http://a.example/")
    assert feed.error == "empty feed document"


def test_body_is_never_treated_as_a_path(tmp_path):
    secret = tmp_path / "secret.xml"
    secret.write_text('<rss version="2.0"><channel><item><link>http://leak.example/</link></item></channel></rss>')
    feed = parse_feed(str(secret).encode(), url="http://a.example/")
    assert feed.entries == []


def test_fetch_then_parse_over_http():
    body = (FEEDS / "guardian_us.rss").read_bytes()
    with LocalSite() as site:
        site.add("/rss", body, content_type="application/rss+xml; charset=utf-8", headers={"ETag": '"g1"'})
        fetcher = Fetcher(FetchPolicy(allow_private_addresses=True, backoff=0.01, max_requests_per_host_per_minute=6000))
        result = fetcher.fetch(site.url("/rss"), accept=("feed",))
        feed = parse_feed(result.body, url=result.final_url, content_type=result.headers.get("content-type"))
        assert len(feed.entries) == 55
        again = fetcher.fetch(site.url("/rss"), etag=result.etag, accept=("feed",))
        assert again.not_modified and site.hits["/rss"] == 2


@pytest.mark.parametrize("raw, base, expected", [
    ("https://WWW.Example.COM:443/a/../b/story.html?utm_source=x&id=3#top", None,
     "https://www.example.com/b/story.html?id=3"),
    ("HTTP://example.com:80", None, "http://example.com/"),
    ("story.html", "https://example.com/news/", "https://example.com/news/story.html"),
    ("//cdn.example.com/x", "https://example.com/", "https://cdn.example.com/x"),
    ("  https://example.com/x?b=2&a=1&fbclid=zz  ", None, "https://example.com/x?a=1&b=2"),
    ("mailto:someone@example.com", None, None),
    ("ftp://example.com/file", None, None),
    ("javascript:void(0)", None, None),
    ("", None, None),
    ("http://", None, None),
    ("http://example.com:99999/", None, None),
    ("https://example.com/fair report.html", None, "https://example.com/fair%20report.html"),  # not "fairreport"
    ("https://example.com/fair%20report.html", None, "https://example.com/fair%20report.html"),
])
def test_canonical_url(raw, base, expected):
    assert canonical_url(raw, base) == expected


def test_one_undecodable_entry_title_does_not_cost_the_other_entries():
    titles = [b"Good one", b"Bad \xff\xfe\x80 title", b"Good three", b"control \x01\x02 chars"]
    items = b"".join(b"<item><title>" + t + b"</title><link>http://e.org/" + str(i).encode() + b"</link></item>"
                     for i, t in enumerate(titles))
    body = (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>x</title>' + items +
            b"</channel></rss>")
    parsed = parse_feed(body, url="http://e.org/feed")
    assert parsed.error is None and parsed.bozo  # recorded as a malformed feed, not refused
    assert [e.url for e in parsed.entries] == [f"http://e.org/{i}" for i in range(4)]
    assert parsed.entries[0].title == "Good one" and parsed.entries[2].title == "Good three"


@pytest.mark.parametrize("cut", [b"</channel>", b"ps://x.example/b</link>", b" text]]>"])
def test_a_feed_cut_short_says_so_and_keeps_what_came_before(cut):
    full = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
            b'<item><title>A</title><link>https://x.example/a</link></item>'
            b'<item><title>B</title><link>https://x.example/b</link>'
            b'<description><![CDATA[Some <b>bold</b> text]]></description></item></channel></rss>')
    parsed = parse_feed(full[:full.index(cut)], url="https://x.example/feed")
    assert "https://x.example/a" in [e.url for e in parsed.entries]
    assert parsed.bozo and "ends before its elements close: cut short?" in parsed.bozo_reason


def test_a_feed_with_a_syntax_error_in_the_middle_is_not_called_cut_short():
    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
            b'<item><title>A & B</title><link>https://x.example/a</link></item></channel></rss>')
    parsed = parse_feed(body, url="https://x.example/feed")
    assert parsed.bozo and "cut short" not in parsed.bozo_reason
