"""Every setting is checked before anything runs: a table of one bad value per setting of
crawler/settings.py, and real ``scrapy crawl`` / ``python -m crawler.cron`` runs with a bad one
(exit 2, one line naming the setting, its value and what is accepted, nothing written)."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from crawler.items import BODY_MODES
from crawler.plumbing.setting_checks import CHECKS, EXTRA_KEYS, WIRING, SettingError, check_settings
from pipelines.format import EXTRA_KEYS as RENDERER_KEYS
from tests.support.crawl import ELSEWHERE, PROJECT, crawl_command

SETTINGS_FILE = PROJECT / "crawler" / "settings.py"
A_FILE = str(SETTINGS_FILE)  # exists, and is a file, not a folder

BAD = {  # setting: (a bad value, what the error line must say is accepted)
    "OUTPUT_DIR": (A_FILE, "expected a folder (it is a file)"),
    "BODY_MODE": ("html", "expected one of seed, seed-exact, clean, markdown"),
    "EXTRA_FRONT_MATTER": ("foo", "expected a comma list of link, doc_id, source, keywords, updated, description, "
                                  "editor, channel, stocks (or empty)"),
    "PARSE_PROCESSES": ("-1", "expected 0 (read pages on the reactor thread) or a number of worker processes"),
    "CHANNELS_FILE": ("/nonexistent/channels.yaml", "expected a readable channel table (cannot read channel file"),
    "ROLL_API_HOST": ("example.com", "expected one of feed.mix.sina.com.cn, feed.sina.com.cn"),
    "ROLL_MAX_PAGES": ("0", "expected a whole number at least 1"),
    "UPDATE_LOOKBACK_HOURS": ("-3", "expected a number at least 0"),
    "ALLOW_TRUNCATED": ("maybe", "expected True/False (or 1/0, yes/no)"),
    "STALE_CHANNEL_HOURS": ("0", "expected a number above 0"),
    "ZHIBO_FEEDS_FILE": ("/nonexistent/zhibo.yaml", "expected a readable 7x24 feed table (cannot read feed file"),
    "ZHIBO_PAGE_SIZE": ("500", "expected a whole number at least 1 and at most 100"),
    "ZHIBO_MAX_PAGES": ("x", "expected a whole number at least 1"),
    "STOCK_NEWS_MAX_PAGES": ("0", "expected a whole number at least 1"),
    "STOCK_NEWS_FIRST_RUN_DAYS": ("0", "expected a number above 0"),
    "ARCHIVE_DIR": (A_FILE, "expected a folder (it is a file)"),
    "ARCHIVE_MAX_BYTES": ("1e9", "expected a whole number at least 1"),
    "STATE_CLASS": ("crawler.store.state.NoSuchState", "expected an importable class path"),
    "STATE_PATH": (str(PROJECT / "crawler"), "expected a file path (it is a folder)"),
    "REDIS_URL": ("localhost:6379", "expected a URL redis://host[:port] or rediss://host[:port] or unix://host[:port]"),
    "REDIS_KEY_PREFIX": (" ", "expected a non-empty text"),
    "REDIS_IDLE_CLOSE": ("0", "expected a number above 0"),
    "RUN_SUMMARY_FILE": (A_FILE + "/summary.json", "expected a path that can be written"),
    "PROGRESS_ENABLED": ("sometimes", "expected True/False"),
    "SINA_MIRROR": ("127.0.0.1:8750", "expected a URL http://host[:port] or https://host[:port] or empty"),
    "USER_AGENT": ("", "expected a non-empty text"),
    "ROBOTSTXT_OBEY": ("2", "expected True/False"),
    "DOWNLOAD_DELAY": ("-1", "expected a number at least 0"),
    "DOWNLOAD_DELAY_JITTER": ("lots", "expected a number at least 0"),
    "CONCURRENT_REQUESTS": ("0", "expected a whole number at least 1"),
    "CONCURRENT_ITEMS": ("1.5", "expected a whole number at least 1"),
    "CONCURRENT_REQUESTS_PER_DOMAIN": ("0", "expected a whole number at least 1"),
    "AUTOTHROTTLE_ENABLED": ("y", "expected True/False"),
    "AUTOTHROTTLE_START_DELAY": ("-1", "expected a number at least 0"),
    "AUTOTHROTTLE_MAX_DELAY": ("-1", "expected a number at least 0"),
    "AUTOTHROTTLE_TARGET_CONCURRENCY": ("0", "expected a number above 0"),
    "DOWNLOAD_TIMEOUT": ("0", "expected a number above 0"),
    "RETRY_ENABLED": ("nah", "expected True/False"),
    "RETRY_TIMES": ("-1", "expected a whole number at least 0"),
    "RETRY_HTTP_CODES": ("500,abc", "expected a comma list of HTTP status codes"),
    "RETRY_BACKOFF_BASE": ("-2", "expected a number at least 0"),
    "RETRY_BACKOFF_MAX": ("x", "expected a number at least 0"),
    "TELNETCONSOLE_ENABLED": ("perhaps", "expected True/False"),
    "REMOTE_CONTROL_ENABLED": ("perhaps", "expected True/False"),
    "LOG_LEVEL": ("LOUD", "expected one of CRITICAL, ERROR, WARNING, INFO, DEBUG"),
    "FEED_EXPORT_ENCODING": ("utf-99", "expected a text encoding such as utf-8"),
}


def project_settings() -> list[str]:
    """Every setting assigned in crawler/settings.py, read from its source."""
    names = []
    for node in ast.parse(SETTINGS_FILE.read_text(encoding="utf-8")).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        names += [t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper()]
    return names


def test_every_setting_is_checked_or_is_scrapy_wiring():
    names = project_settings()
    assert sorted(set(CHECKS) | set(WIRING)) == sorted(names)
    assert not set(CHECKS) & set(WIRING)
    assert sorted(BAD) == sorted(CHECKS)


def test_the_front_matter_keys_and_body_modes_are_the_renderer_s():
    assert EXTRA_KEYS == RENDERER_KEYS
    assert BAD["BODY_MODE"][1].endswith(", ".join(BODY_MODES))


def test_every_default_passes():
    from scrapy.utils.project import get_project_settings

    check_settings(get_project_settings())


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_value_is_one_line_naming_the_setting_its_value_and_what_is_accepted(name):
    value, accepted = BAD[name]
    with pytest.raises(SettingError) as raised:
        check_settings({name: value})
    assert str(raised.value).startswith(f"bad -s {name}={value!r}: {accepted}")
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("name, value", [("BODY_MODE", "html"), ("EXTRA_FRONT_MATTER", "foo"),
                                         ("SINA_MIRROR", "127.0.0.1:8750"), ("ROLL_MAX_PAGES", "0")])
def test_scrapy_crawl_with_a_bad_setting_exits_2_and_writes_nothing(tmp_path, name, value):
    output, state = tmp_path / "out", tmp_path / "state" / "crawl.sqlite"
    command = crawl_command(["-m", "scrapy", "crawl", "sina_finance"], mirror="http://127.0.0.1:9", output=output,
                            state=state, **{name: value})
    result = subprocess.run(command, cwd=ELSEWHERE, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr[-3000:]
    assert result.stderr.splitlines()[-1].startswith(f"scrapy crawl: error: bad -s {name}={value!r}: {BAD[name][1]}")
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_cron_with_a_bad_setting_exits_2_before_its_lock_and_logs(tmp_path):
    command = [sys.executable, "-m", "crawler.cron", "--lock", str(tmp_path / "lock"), "--log-dir",
               str(tmp_path / "logs"), "-s", "BODY_MODE=html", "-s", f"OUTPUT_DIR={tmp_path / 'out'}"]
    result = subprocess.run(command, cwd=ELSEWHERE, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip() == ("crawl-cron: error: bad -s BODY_MODE='html': "
                                     "expected one of seed, seed-exact, clean, markdown")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("given", [{}, {"OUTPUT_DIR": "/tmp/replay/out"}, {"STATE_PATH": "/tmp/replay/s.sqlite"},
                                   {"OUTPUT_DIR": "./output", "STATE_PATH": "/tmp/replay/s.sqlite"}])
def test_a_replay_without_places_of_its_own_is_refused(given):
    with pytest.raises(SettingError) as raised:
        check_settings({"SINA_MIRROR": "http://127.0.0.1:8750", **given})
    assert str(raised.value).startswith("-s SINA_MIRROR=http://127.0.0.1:8750 replays a saved site: give it its own "
                                        "-s OUTPUT_DIR=… and -s STATE_PATH=… (not the live ")


def test_a_replay_with_its_own_places_and_a_live_crawl_are_accepted():
    check_settings({"SINA_MIRROR": "http://127.0.0.1:8750", "OUTPUT_DIR": "/tmp/replay/out",
                    "STATE_PATH": "/tmp/replay/s.sqlite"})
    check_settings({"SINA_MIRROR": "", "OUTPUT_DIR": "output", "STATE_PATH": ".state/crawl.sqlite"})


def test_the_readme_mirror_example_is_refused_and_touches_nothing(tmp_path):
    """README: ``scrapy crawl sina_finance -a since=2005-01-01 -s SINA_MIRROR=http://127.0.0.1:8750``,
    run in a folder of its own: exit 2, and no output/ or .state/ appears there."""
    command = [sys.executable, "-m", "scrapy", "crawl", "sina_finance", "-a", "since=2005-01-01",
               "-s", "SINA_MIRROR=http://127.0.0.1:8750"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr[-3000:]
    assert "replays a saved site" in result.stderr.splitlines()[-1]
    assert sorted(p.name for p in tmp_path.iterdir()) == []
