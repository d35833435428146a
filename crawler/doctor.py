"""``python -m crawler.doctor``: does Sina still look the way the code expects? A live canary.

For every chosen channel it fetches roll page 1 and checks the reply's schema (each field the
code reads: present, typed, plausible times), then fetches the channel's newest article and
checks that the reader found title, time, source and a body of reasonable length with a dated
template; for every chosen 7x24 feed it fetches feed page 1 and checks it likewise
(``crawler.sina.drift``). It prints one table (channel, status, what was found): a channel is
UNREACHABLE (no reply, or a 5xx after the retry; nothing else is checked), DRIFT (a reply in a
shape the code does not read), STALE (its newest item is older than STALE_CHANNEL_HOURS) or ok.
It exits with the worst: 69 unreachable, 65 drifted, 3 stale, 0 all ok (2 for a usage error).
It writes nothing and takes no lock.

Requests go through Scrapy with the project's settings (User-Agent, robots.txt, politeness,
``SINA_MIRROR``), with ``-s NAME=VALUE`` overrides; a 403 or other error status is reported,
not retried (5xx and timeouts are retried once).
"""

from __future__ import annotations

import argparse
import sys

from scrapy.utils.project import get_project_settings

from crawler.ops.cron import find_project
from crawler.ops.doctor import report_rows, run_checks, tally
from crawler.ops.terminal import table
from crawler.sina.channels import ChannelError, load_channels, pick_channels
from crawler.sina.zhibo import load_feeds, pick_feeds

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m crawler.doctor", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="exit status (the worst found): 0 all ok, 69 unreachable, 65 drifted, "
                                            "3 stale; 2 usage error")
    parser.add_argument("--channels", default="all", metavar="SPEC",
                        help="roll channels to check: 'all' or a comma list of CHANNELS_FILE names, "
                             "'none' for none (default: %(default)s)")
    parser.add_argument("--feeds", default="all", metavar="SPEC",
                        help="7x24 feeds to check: 'all' or a comma list of ZHIBO_FEEDS_FILE names, 'none' for none "
                             "(default: %(default)s)")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="setting, as for scrapy crawl -s (repeatable), e.g. SINA_MIRROR=http://127.0.0.1:8750")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    bad = [value for value in args.settings if "=" not in value]
    if bad:
        parser.error(f"-s {bad[0]!r}: expected NAME=VALUE")
    find_project()
    settings = get_project_settings()
    settings.setdict(dict(value.split("=", 1) for value in args.settings), priority="cmdline")
    if not any(value.startswith("LOG_LEVEL=") for value in args.settings):
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")  # the table is the output
    try:
        channels = [] if args.channels == "none" else pick_channels(
            load_channels(settings.get("CHANNELS_FILE") or None), "" if args.channels == "default" else args.channels)
        feeds = [] if args.feeds == "none" else pick_feeds(load_feeds(settings.get("ZHIBO_FEEDS_FILE") or None),
                                                          args.feeds)
    except (ChannelError, ValueError) as error:
        parser.error(str(error))
    findings = run_checks(settings, channels, feeds)
    rows = report_rows(channels, feeds, findings)
    line, code = tally(findings)
    print(table(rows))
    print(line, flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
