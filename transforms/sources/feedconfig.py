"""The feeds file: which feeds to poll and how politely.

A TOML file (read with the standard library's ``tomllib``)::

    user_agent = "newswatch/0.1 (+https://example.org/contact)"   # optional
    max_requests_per_host_per_minute = 30                         # optional, default 60
    allow_private_addresses = false                               # optional, default false
    timeout = 10                                                  # optional, seconds per read (0-300]
    total_timeout = 30                                            # optional, seconds per response (default 3x timeout)
    max_page_bytes = 5000000                                      # optional (at most 100 MB)

    [[feed]]
    name = "defense-news"
    url = "https://www.example.com/rss.xml"
    interval = 900                                                # optional, seconds

``load_feeds_config`` returns frozen dataclasses or raises :class:`ConfigError`
(a ``ValueError``) whose message names the file and the offending entry.
Unknown keys are refused too, so a typo does not silently fall back to a default.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .fetch import DEFAULT_USER_AGENT, policy_from_config

DEFAULT_MAX_REQUESTS_PER_HOST_PER_MINUTE = 60
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_PAGE_BYTES = 5_000_000

_GLOBAL_KEYS = {"feed", "user_agent", "max_requests_per_host_per_minute", "allow_private_addresses",
                "timeout", "total_timeout", "max_page_bytes"}
# Sane bounds: a setting outside them is a typo or a misunderstanding, and would fail every feed later.
MAX_TIMEOUT = 300.0
MAX_TOTAL_TIMEOUT = 3600.0
MIN_REQUESTS_PER_MINUTE, MAX_REQUESTS_PER_MINUTE = 0.1, 6000.0
MAX_PAGE_BYTES_LIMIT = 100_000_000
_FEED_KEYS = {"name", "url", "interval"}


class ConfigError(ValueError):
    """The feeds file is missing, unreadable or invalid."""


@dataclass(frozen=True)
class FeedConfig:
    """One ``[[feed]]`` table.  ``interval`` is in seconds; None means "use the run's default"."""

    name: str
    url: str
    interval: float | None = None


@dataclass(frozen=True)
class FeedsConfig:
    """The whole feeds file."""

    feeds: tuple[FeedConfig, ...]
    user_agent: str = DEFAULT_USER_AGENT
    max_requests_per_host_per_minute: float = DEFAULT_MAX_REQUESTS_PER_HOST_PER_MINUTE
    allow_private_addresses: bool = False
    timeout: float = DEFAULT_TIMEOUT
    max_page_bytes: int = DEFAULT_MAX_PAGE_BYTES
    total_timeout: float | None = None

    def fetch_policy(self, **overrides):
        """A :class:`~newswatch.transforms.sources.fetch.FetchPolicy` with these settings."""

        return policy_from_config(self, **overrides)


def load_feeds_config(path: str | Path) -> FeedsConfig:
    """Read and validate a feeds file; raises :class:`ConfigError`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: feeds file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read feeds file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: feeds file is not UTF-8 ({exc})") from None
    return parse_feeds_config(text, source=str(path))


def parse_feeds_config(text: str, *, source: str = "<feeds>") -> FeedsConfig:
    """Validate feeds-file TOML given as a string (``source`` names it in errors)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: invalid TOML: {exc}") from None

    def fail(message: str) -> ConfigError:
        return ConfigError(f"{source}: {message}")

    unknown = sorted(set(data) - _GLOBAL_KEYS)
    if unknown:
        raise fail(f"unknown setting(s) {', '.join(unknown)} (known: {', '.join(sorted(_GLOBAL_KEYS))})")

    feeds_raw = data.get("feed")
    if feeds_raw is None:
        raise fail("no feeds: add at least one [[feed]] table with name and url")
    if not isinstance(feeds_raw, list) or not all(isinstance(f, dict) for f in feeds_raw):
        raise fail("'feed' must be an array of tables, written as [[feed]]")
    if not feeds_raw:
        raise fail("no feeds: add at least one [[feed]] table with name and url")

    feeds: list[FeedConfig] = []
    seen: dict[str, int] = {}
    for number, table in enumerate(feeds_raw, start=1):
        where = f"feed #{number}"
        if isinstance(table.get("name"), str) and table["name"].strip():
            where += f" ({table['name'].strip()!r})"
        unknown = sorted(set(table) - _FEED_KEYS)
        if unknown:
            raise fail(f"{where}: unknown key(s) {', '.join(unknown)} (known: name, url, interval)")
        name = _string(table, "name", where, fail)
        url = _string(table, "url", where, fail)
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise fail(f"{where}: url {url!r} must be an absolute http:// or https:// URL")
        try:
            parts.port  # noqa: B018 - validates the port
        except ValueError:
            raise fail(f"{where}: url {url!r} has an invalid port") from None
        interval = table.get("interval")
        if interval is not None:
            interval = _positive_number(interval, f"{where}: interval", fail)
        if name in seen:
            raise fail(f"{where}: duplicate feed name {name!r} (also feed #{seen[name]})")
        seen[name] = number
        feeds.append(FeedConfig(name=name, url=url, interval=interval))

    user_agent = data.get("user_agent", DEFAULT_USER_AGENT)
    if not isinstance(user_agent, str) or not user_agent.strip():
        raise fail("user_agent must be a non-empty string")
    allow_private = data.get("allow_private_addresses", False)
    if not isinstance(allow_private, bool):
        raise fail(f"allow_private_addresses must be true or false, not {allow_private!r}")
    max_bytes = data.get("max_page_bytes", DEFAULT_MAX_PAGE_BYTES)
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or not 0 < max_bytes <= MAX_PAGE_BYTES_LIMIT:
        raise fail(f"max_page_bytes must be a positive integer of at most {MAX_PAGE_BYTES_LIMIT}, not {max_bytes!r}")
    timeout = _within(_positive_number(data.get("timeout", DEFAULT_TIMEOUT), "timeout", fail),
                      "timeout", 0.0, MAX_TIMEOUT, fail)
    total = data.get("total_timeout")
    if total is not None:
        total = _within(_positive_number(total, "total_timeout", fail), "total_timeout", timeout,
                        MAX_TOTAL_TIMEOUT, fail)
    rate = _within(_positive_number(data.get("max_requests_per_host_per_minute",
                                             DEFAULT_MAX_REQUESTS_PER_HOST_PER_MINUTE),
                                    "max_requests_per_host_per_minute", fail),
                   "max_requests_per_host_per_minute", MIN_REQUESTS_PER_MINUTE, MAX_REQUESTS_PER_MINUTE, fail)
    return FeedsConfig(
        feeds=tuple(feeds),
        user_agent=user_agent.strip(),
        max_requests_per_host_per_minute=rate,
        allow_private_addresses=allow_private,
        timeout=timeout,
        max_page_bytes=max_bytes,
        total_timeout=total,
    )


def _within(value: float, what: str, low: float, high: float, fail) -> float:
    if not low <= value <= high:
        raise fail(f"{what} must be between {low:g} and {high:g}, not {value:g}")
    return value


def _string(table: dict[str, Any], key: str, where: str, fail) -> str:
    if key not in table:
        raise fail(f"{where}: missing {key}")
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        raise fail(f"{where}: {key} must be a non-empty string, not {value!r}")
    return value.strip()


def _positive_number(value: Any, what: str, fail) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise fail(f"{what} must be a positive number, not {value!r}")
    return float(value)
