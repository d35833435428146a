"""Headless Chromium (Debian's ``chromium``) driven over the DevTools protocol on a pipe
(``--remote-debugging-pipe``: fd 3 in, fd 4 out, NUL-separated JSON), recording what a page does
by itself: every script it runs (``Debugger.scriptParsed``: inline handlers and ``javascript:``
URLs included), every dialog, every navigation or new frame, every request, and the active
markup left in its DOM; once as loaded and once after an ``innerHTML`` round trip of one element.
"""

from __future__ import annotations

import fcntl
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--remote-debugging-pipe")
PROBE = "//# sourceURL=__probe__.js"  # marks the scripts this harness evaluates
# Active markup in an element's subtree as the browser has it, by the DOM's own reading.
SCAN = """(selector) => {
  const root = document.querySelector(selector); const found = [];
  if (!root) return ['no ' + selector];
  for (const el of [document.documentElement, document.body, ...root.querySelectorAll('*')]) {
    const tag = el.localName;
    if (/^(script|iframe|frame|frameset|object|embed|applet|form|input|button|base|meta|link|svg|math|template|noscript)$/
        .test(tag) && root.contains(el)) found.push('element ' + tag);
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) found.push(`handler ${tag} ${a.name}`);
      const url = /^(href|src|action|formaction|xlink:href|background|poster|data|srcdoc)$/.test(a.name);
      if (url && !/^https?:/i.test(a.value.trim())) found.push(`url ${tag} ${a.name}=${a.value.slice(0, 40)}`);
    }
  }
  if (document.querySelector('base')) found.push('element base');
  return found;
}"""


@dataclass
class Visit:
    """What a page did: as loaded, and after ``el.innerHTML = el.innerHTML`` of its container."""

    url: str
    loaded: list[str] = field(default_factory=list)
    round_trip: list[str] = field(default_factory=list)
    text: str = ""  # the container's text as loaded


class Chromium:
    def __init__(self, profile: Path, binary: str | None = None) -> None:
        binary = binary or shutil.which("chromium")
        if binary is None:
            raise FileNotFoundError("chromium is not installed (`apt-get install -y chromium`; .ci/run does it)")
        browser_in, to_browser = _pipe_above(4)
        from_browser, browser_out = _pipe_above(4)
        # bash moves the pipe ends to fd 3 and 4, where --remote-debugging-pipe expects them.
        command = ["bash", "-c", f'exec "$@" 3<&{browser_in} 4>&{browser_out} {browser_in}<&- {browser_out}>&-',
                   "bash", binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"]
        self.process = subprocess.Popen(command, pass_fds=(browser_in, browser_out), stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        os.close(browser_in)
        os.close(browser_out)
        self.writer = os.fdopen(to_browser, "wb", buffering=0)
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.events: list[dict[str, Any]] = []
        self.next_id = 0
        threading.Thread(target=self._read, args=(os.fdopen(from_browser, "rb", buffering=0),), daemon=True).start()

    def _read(self, reader: Any) -> None:
        pending = b""
        with reader:
            while chunk := reader.read(65536):
                pending += chunk
                *complete, pending = pending.split(b"\0")
                for message in complete:
                    self.messages.put(json.loads(message))

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.writer.write(json.dumps(message).encode() + b"\0")
        return self.next_id

    def call(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30) -> dict:
        wanted = self.send(method, params, session)
        deadline = time.monotonic() + timeout
        while True:
            message = self._next(deadline, method)
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def wait_for(self, method: str, session: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        if any(e["method"] == method and e.get("sessionId") == session for e in self.events):
            return
        while True:
            message = self._next(deadline, method)
            if message.get("method") == method and message.get("sessionId") == session:
                return

    def settle(self, seconds: float) -> None:
        """Take in whatever the page does for ``seconds``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self._next(deadline, "settle")
            except TimeoutError:
                return

    def _next(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        try:
            message = self.messages.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError(f"Chromium did not answer {waiting_for}") from None
        if "method" in message:
            self.events.append(message)
            if message["method"] == "Page.javascriptDialogOpening":  # a dialog blocks the page until answered
                self.send("Page.handleJavaScriptDialog", {"accept": True}, message.get("sessionId"))
        return message

    def visit(self, url: str, container: str, allowed: Any, settle: float = 0.3) -> Visit:
        """Open ``url`` in a fresh tab and record what it does; ``allowed(url, type)`` says which
        requests are expected."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Debugger"):
            self.call(f"{domain}.enable", session=session)
        visit = Visit(url)
        mark = len(self.events)
        self.call("Page.navigate", {"url": url}, session)
        self.wait_for("Page.loadEventFired", session)
        self.settle(settle)
        visit.loaded = self._observed(session, mark, url, allowed) + self._scan(session, container)
        visit.text = self._evaluate(session, f"document.querySelector({json.dumps(container)}).innerText")
        mark = len(self.events)
        self._evaluate(session, f"(el => {{ el.innerHTML = el.innerHTML; }})(document.querySelector("
                                f"{json.dumps(container)}))")
        self.settle(settle)
        visit.round_trip = self._observed(session, mark, url, allowed) + self._scan(session, container)
        self.call("Target.closeTarget", {"targetId": target})
        return visit

    def _evaluate(self, session: str, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": f"{expression}\n{PROBE}", "returnByValue": True},
                           session)
        return result.get("result", {}).get("value")

    def _scan(self, session: str, container: str) -> list[str]:
        return self._evaluate(session, f"({SCAN})({json.dumps(container)})") or []

    def _observed(self, session: str, mark: int, url: str, allowed: Any) -> list[str]:
        seen = []
        for event in self.events[mark:]:
            if event.get("sessionId") != session:
                continue
            method, params = event["method"], event.get("params", {})
            if method == "Debugger.scriptParsed" and params.get("url") != "__probe__.js":
                seen.append(f"script ran: {params.get('url') or '(inline)'}:{params.get('startLine')}")
            elif method == "Page.javascriptDialogOpening":
                seen.append(f"dialog {params.get('type')}: {params.get('message')}")
            elif method in ("Page.frameRequestedNavigation", "Page.windowOpen"):
                seen.append(f"navigation: {params.get('url')}")
            elif method == "Page.frameAttached":
                seen.append("frame attached")
            elif method == "Page.frameNavigated" and (params["frame"].get("parentId") or params["frame"]["url"] != url):
                seen.append(f"frame navigated: {params['frame']['url']}")
            elif method == "Network.requestWillBeSent":
                request_url, kind = params["request"]["url"], params.get("type", "")
                if not allowed(request_url, kind):
                    seen.append(f"request {kind}: {request_url[:120]}")
        return seen

    def close(self) -> None:
        try:
            self.send("Browser.close")
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        self.writer.close()


def _pipe_above(lowest: int) -> tuple[int, int]:
    """A pipe whose two ends are fds above ``lowest`` (so moving them to 3 and 4 overwrites neither)."""
    read, write = os.pipe()
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, lowest + 1) for fd in (read, write)]
    os.close(read)
    os.close(write)
    return high[0], high[1]
