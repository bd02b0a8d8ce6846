"""The one URL normalisation: what makes two links the same article (ids, seen URLs, de-duplication).

:func:`canonical_url` keeps http(s) URLs only and gives them one form: courlan's cleaning (lower-case host,
default port dropped, tracking parameters such as ``utm_*`` removed, query sorted), plus removal of the
fragment, of ``.``/``..`` segments and of a few more common tracking parameters. Every other query
parameter stays: ``story.php?id=1`` and ``story.php?id=2`` are two articles.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

import courlan

_EXTRA_TRACKERS = re.compile(
    r"^(?:wt_|at_|pk_|piwik_|mtm_|hsa_|_hs|ns_|s_cid$|cmpid$|icid$|ocid$|smid$|mbid$|__tn__$|"
    r"fbclid$|gclid$|mc_|ito$|cmp$)",
    re.IGNORECASE,
)



def canonical_url(url: str | None, base: str | None = None) -> str | None:
    """Canonical absolute http(s) URL for ``url`` (resolved against ``base``), or None."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    if base:
        url = urljoin(base.strip(), url)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    # a raw space ("/fair report.html") encoded, as a browser does, before courlan (which would drop it and
    # name another page); nothing else changes, so stored canonical URLs stay the same
    path = re.sub(r"\s", lambda m: quote(m.group()), parts.path)
    if "/." in path:  # resolve "." and ".." segments
        path = urlsplit(urljoin(f"{parts.scheme}://{parts.netloc}/", path)).path
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not _EXTRA_TRACKERS.search(k)])
    cleaned = courlan.clean_url(urlunsplit((parts.scheme, parts.netloc, path, query, "")))
    if not cleaned:
        return None
    parts = urlsplit(cleaned)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))
