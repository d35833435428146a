"""Fault rules for the mirror: ``SNAPSHOT/faults.yaml``, a list of rules such as::

    - match: finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml
      fault: status          # answer with `status` (and Retry-After when `retry_after` is set)
      status: 503
      times: 2               # only the first 2 matching requests; omit for every request
    - match: feed.mix.sina.com.cn/api/roll/get?pageid=155&lid=1686
      fault: reply           # answer 200 with `body` (and `content_type`) instead
      body: 'not json'

``match`` is ``host/path`` (``*`` at the end matches a prefix); with a ``?query`` part it
also needs those parameters. Faults:

=========  ==================================================================
status     answer ``status`` with a short body; ``retry_after`` adds the header
slow       wait ``seconds`` before answering normally
drop       send the headers and part of the body, then reset the connection
truncate   promise the full Content-Length, send part of the body, close cleanly
redirect   302 to ``location``
reply      200 with ``body`` (``content_type``, default text/html)
=========  ==================================================================
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

import yaml

from crawler.mirror.files import ReloadingFile

KINDS = ("status", "slow", "drop", "truncate", "redirect", "reply")


@dataclass
class FaultRule:
    match: str
    fault: str
    times: int | None = None
    status: int = 503
    retry_after: str | None = None
    seconds: float = 0.0
    location: str = ""
    body: str = ""
    content_type: str = "text/html; charset=utf-8"
    served: int = 0

    def applies(self, host: str, path: str, query: str) -> bool:
        target, _, wanted_query = self.match.partition("?")
        here = f"{host}{path}"
        if target.endswith("*") and not here.startswith(target[:-1]):
            return False
        if not target.endswith("*") and here != target:
            return False
        params = dict(parse_qsl(query, keep_blank_values=True))
        return all(params.get(k) == v for k, v in parse_qsl(wanted_query, keep_blank_values=True))


class Faults:
    """The rules of faults.yaml, re-read (with fresh counts) whenever the file changes."""

    def __init__(self, path: Path) -> None:
        self.rules = ReloadingFile(path, read_rules, list)
        self.lock = threading.Lock()
        self.rules.value()  # a bad faults.yaml stops the mirror at start

    def take(self, host: str, path: str, query: str) -> FaultRule | None:
        """The rule for this request, counting it; None when no rule (or no use) is left."""
        with self.lock:
            for rule in self.rules.value():
                if rule.applies(host, path, query) and (rule.times is None or rule.served < rule.times):
                    rule.served += 1
                    return rule
        return None


def read_rules(path: Path) -> list[FaultRule]:
    rules = [FaultRule(**rule) for rule in yaml.safe_load(path.read_text(encoding="utf-8")) or []]
    for rule in rules:
        if rule.fault not in KINDS:
            raise ValueError(f"{path}: unknown fault {rule.fault!r}; known: {', '.join(KINDS)}")
    return rules
