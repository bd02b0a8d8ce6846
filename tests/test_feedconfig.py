"""Feeds file (TOML) loading and validation."""

from __future__ import annotations

import pytest

from newswatch.transforms.sources.feedconfig import (DEFAULT_USER_AGENT, ConfigError, FeedConfig, FeedsConfig,
                                                     load_feeds_config)
from newswatch.transforms.sources.fetch import FetchPolicy

GOOD = """
user_agent = "newswatch-test/1.0 (+https://example.org/contact)"
max_requests_per_host_per_minute = 30
allow_private_addresses = true
timeout = 5
max_page_bytes = 1000000

[[feed]]
name = "defense-news"
url = "https://www.example.com/rss.xml"
interval = 900

[[feed]]
name = "local"
url = "http://127.0.0.1:8080/feed.atom"
"""


def write(tmp_path, text: str):
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_a_full_file(tmp_path):
    config = load_feeds_config(write(tmp_path, GOOD))
    assert isinstance(config, FeedsConfig)
    assert config.feeds == (
        FeedConfig(name="defense-news", url="https://www.example.com/rss.xml", interval=900.0),
        FeedConfig(name="local", url="http://127.0.0.1:8080/feed.atom", interval=None),
    )
    assert config.user_agent == "newswatch-test/1.0 (+https://example.org/contact)"
    assert config.max_requests_per_host_per_minute == 30
    assert config.allow_private_addresses is True
    assert config.timeout == 5.0
    assert config.max_page_bytes == 1_000_000


def test_defaults(tmp_path):
    config = load_feeds_config(write(tmp_path, '[[feed]]\nname = "a"\nurl = "https://a.example/feed"\n'))
    assert config.user_agent == DEFAULT_USER_AGENT
    assert config.user_agent.startswith("newswatch/0.1 (+https://github.com/newswatch/newswatch")
    assert config.allow_private_addresses is False
    assert config.max_requests_per_host_per_minute == 60
    assert config.timeout == 10.0
    assert config.max_page_bytes == 5_000_000


def test_config_is_frozen(tmp_path):
    config = load_feeds_config(write(tmp_path, GOOD))
    with pytest.raises(AttributeError):
        config.user_agent = "x"  # type: ignore[misc]


def test_fetch_policy_from_config(tmp_path):
    policy = load_feeds_config(write(tmp_path, GOOD)).fetch_policy(max_retries=0)
    assert isinstance(policy, FetchPolicy)
    assert policy.user_agent.startswith("newswatch-test/1.0")
    assert policy.max_requests_per_host_per_minute == 30
    assert policy.allow_private_addresses is True
    assert policy.timeout == 5.0
    assert policy.max_bytes == 1_000_000
    assert policy.max_retries == 0


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_feeds_config(tmp_path / "nope.toml")


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[[feed]\nname = 1", "invalid TOML"),
        ('user_agent = "x"\n', "no feeds"),
        ("feed = []\n", "no feeds"),
        ('feed = "https://a.example/"\n', "array of tables"),
        ('[[feed]]\nname = "a"\n', "feed #1 .*missing url"),
        ('[[feed]]\nurl = "https://a.example/"\n', "feed #1: missing name"),
        ('[[feed]]\nname = ""\nurl = "https://a.example/"\n', "name must be a non-empty string"),
        ('[[feed]]\nname = "a"\nurl = "https://a.example/"\n[[feed]]\nname = "a"\nurl = "https://b.example/"\n',
         "duplicate feed name 'a'"),
        ('[[feed]]\nname = "a"\nurl = "ftp://a.example/feed"\n', "http:// or https://"),
        ('[[feed]]\nname = "a"\nurl = "file:///etc/passwd"\n', "http:// or https://"),
        ('[[feed]]\nname = "a"\nurl = "a.example/feed"\n', "http:// or https://"),
        ('[[feed]]\nname = "a"\nurl = 5\n', "url must be a non-empty string"),
        ('[[feed]]\nname = "a"\nurl = "https://a.example/"\ninterval = "often"\n', "interval must be a positive"),
        ('[[feed]]\nname = "a"\nurl = "https://a.example/"\ninterval = -5\n', "interval must be a positive"),
        ('[[feed]]\nname = "a"\nurl = "https://a.example/"\nurll = "x"\n', "unknown key"),
        ('allow_private_addresses = "yes"\n[[feed]]\nname = "a"\nurl = "https://a.example/"\n',
         "allow_private_addresses must be true or false"),
        ('max_requests_per_host_per_minute = "60"\n[[feed]]\nname = "a"\nurl = "https://a.example/"\n',
         "max_requests_per_host_per_minute must be a positive number"),
        ('max_requests_per_host_per_minute = 0\n[[feed]]\nname = "a"\nurl = "https://a.example/"\n',
         "max_requests_per_host_per_minute must be a positive number"),
        ('timeout = true\n[[feed]]\nname = "a"\nurl = "https://a.example/"\n', "timeout must be a positive"),
        ('max_page_bytes = 1.5\n[[feed]]\nname = "a"\nurl = "https://a.example/"\n', "max_page_bytes"),
        ("user_agent = 3\n[[feed]]\nname = \"a\"\nurl = \"https://a.example/\"\n", "user_agent"),
        ('max_request_per_host_per_minute = 3\n[[feed]]\nname = "a"\nurl = "https://a.example/"\n',
         "unknown setting"),
        # absurd values that would fail every feed later (issue 11)
        ('timeout = 1e308\n[[feed]]\nname = "a"\nurl = "https://a.example/"\n', "timeout must be between"),
        ('max_requests_per_host_per_minute = 1e-9\n[[feed]]\nname = "a"\nurl = "https://a.example/"\n',
         "max_requests_per_host_per_minute must be between"),
        ('timeout = 20\ntotal_timeout = 5\n[[feed]]\nname = "a"\nurl = "https://a.example/"\n',
         "total_timeout must be between 20"),
        ('max_page_bytes = 10000000000\n[[feed]]\nname = "a"\nurl = "https://a.example/"\n', "at most"),
    ],
)
def test_errors(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as info:
        load_feeds_config(path)
    assert str(path) in str(info.value)  # the message names the file


def test_total_timeout_reaches_the_fetch_policy(tmp_path):
    path = write(tmp_path, 'timeout = 5\ntotal_timeout = 12\n[[feed]]\nname = "a"\nurl = "https://a.example/"\n')
    assert load_feeds_config(path).fetch_policy().total_timeout == 12.0
