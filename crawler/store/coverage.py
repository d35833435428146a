"""Which stretch of a channel's roll listing each run must read, and what it has covered after.

Framework-free rules over Unix ctimes (the roll API's clock). A channel's ``Coverage`` says that
every item from ``floor`` to ``high_water`` was listed and fetched, except recorded ``gaps``.
A run reads one *top* scan (newest items down to the window's start) and one scan per gap
(from the gap's cursor down to its floor). Rules:

- window start: ``since`` when given; else the mark less the look-back, but never below the
  floor (so the second of two identical runs fetches nothing); else, on a first run, 24 hours
  before now;
- a scan that stops before its window's start (page cap, roll errors) leaves a gap from the
  oldest item it listed down to the window's start (less what earlier runs covered), and the
  next run continues there; an article whose fetch failed leaves a gap of its own second;
- the mark moves only when the window reaches it (``since`` at or below the mark), only as
  far as the window goes (``until``), never back, and never past an article whose fetch failed;
- the floor moves down only when the window reaches both the mark and the floor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

FIRST_RUN_LOOKBACK = timedelta(hours=24)
# Half-open stretches of roll ctimes [low, high); FOREVER stands for "up to the newest item".
Interval = tuple[int, int]
FOREVER = 2**62


@dataclass(frozen=True)
class Gap:
    """Roll items with ``floor <= ctime < cursor`` that a run could not list (page cap, errors)."""

    cursor: int
    floor: int


@dataclass
class Coverage:
    """How far a channel's listing is covered: every item from ``floor`` to ``high_water`` (roll
    ctimes) was listed and fetched, except the ``gaps`` later runs still owe."""

    high_water: int | None = None
    floor: int | None = None
    gaps: list[Gap] = field(default_factory=list)


@dataclass
class Scan:
    """One pass down a channel's listing, and what it met."""

    channel: str
    since: datetime
    until: datetime | None = None
    gap: Gap | None = None  # the gap this scan continues; None for the top scan
    cursor: int | None = None  # ctime cursor: list items older than this
    page: int = 1
    pages_read: int = 0
    oldest_seen: int | None = None
    newest_in_window: int | None = None
    failed: list[int] = field(default_factory=list)  # ctimes of articles whose fetch failed
    truncated: str = ""  # why paging stopped before ``since``; empty when it reached it

    @property
    def floor(self) -> int:
        return int(self.since.timestamp())

    def saw(self, ctime: int) -> None:
        self.oldest_seen = ctime if self.oldest_seen is None else min(self.oldest_seen, ctime)
        if self.until is None or ctime <= self.until.timestamp():
            newest = self.newest_in_window
            self.newest_in_window = ctime if newest is None else max(newest, ctime)

    def mark(self) -> int | None:
        """Newest ctime of the window, but never past an article that failed."""
        if self.newest_in_window is None:
            return None
        return min([self.newest_in_window, *(ctime - 1 for ctime in self.failed)])

    def read(self) -> Interval | None:
        """The stretch of ctimes this scan listed completely, as [low, high)."""
        high = self.gap.cursor if self.gap else FOREVER
        if self.until is not None:
            high = min(high, int(self.until.timestamp()) + 1)  # newer items were not fetched
        if not self.truncated:
            return (self.floor, high)
        # +1: items sharing the oldest ctime seen may continue on the unread page.
        return (self.oldest_seen + 1, high) if self.oldest_seen is not None else None

    def unread(self) -> Interval | None:
        """The stretch of the window a truncated scan did not reach."""
        if not self.truncated:
            return None
        start = self.gap.cursor if self.gap else None
        high = self.oldest_seen + 1 if self.oldest_seen is not None else start
        if high is not None and self.until is not None:
            high = min(high, int(self.until.timestamp()) + 1)
        return (self.floor, high) if high is not None and high > self.floor else None


def plan(channel: str, coverage: Coverage, now: datetime, lookback: timedelta,
         since: datetime | None = None, until: datetime | None = None,
         first_run: timedelta = FIRST_RUN_LOOKBACK) -> list[Scan]:
    """The scans of one channel for one run: the top scan first, then one per recorded gap."""
    zone = now.tzinfo
    if since is None:
        if coverage.high_water is None:
            since = now - first_run
        else:
            since = datetime.fromtimestamp(coverage.high_water, zone) - lookback
            if coverage.floor is not None:
                since = max(since, datetime.fromtimestamp(coverage.floor, zone))
    scans = [Scan(channel, since, until)]
    for gap in coverage.gaps:
        scans.append(Scan(channel, datetime.fromtimestamp(gap.floor, zone), None, gap=gap, cursor=gap.cursor))
    return scans


def settle(coverage: Coverage, scans: list[Scan]) -> Coverage:
    """The channel's coverage after a finished run of ``scans`` (the top scan first)."""
    top = scans[0]
    high_water, floor = coverage.high_water, coverage.floor
    mark = top.mark()
    reaches_mark = high_water is None or top.floor <= high_water
    reaches_floor = floor is None or top.until is None or top.until.timestamp() + 1 >= floor
    if mark is not None and reaches_mark and reaches_floor:
        high_water = mark if high_water is None else max(high_water, mark)
        floor = top.floor if floor is None else min(floor, top.floor)
    failed = [(ctime, ctime + 1) for scan in scans for ctime in scan.failed]
    gaps = [Gap(high, low) for low, high in merge(unread_left(coverage, scans) + failed)]
    return Coverage(high_water, floor, gaps)


def unread_left(coverage: Coverage, scans: list[Scan]) -> list[Interval]:
    """What the listing still owes after this run: the gaps it had and the stretches its scans
    did not reach, less what it had covered before and what the scans read now."""
    old_gaps = [(gap.floor, gap.cursor) for gap in coverage.gaps]
    covered = []
    if coverage.high_water is not None and coverage.floor is not None:
        covered = subtract([(coverage.floor, coverage.high_water + 1)], old_gaps)
    unread = [interval for interval in (scan.unread() for scan in scans) if interval is not None]
    owed = old_gaps + subtract(unread, covered)
    read = [interval for interval in (scan.read() for scan in scans) if interval is not None]
    return subtract(merge(owed), read)


def merge(intervals: list[Interval]) -> list[Interval]:
    """Overlapping or touching intervals as one, newest first."""
    merged: list[Interval] = []
    for low, high in sorted(intervals, key=lambda interval: interval[1], reverse=True):
        if merged and high >= merged[-1][0]:
            merged[-1] = (min(low, merged[-1][0]), merged[-1][1])
        else:
            merged.append((low, high))
    return merged


def subtract(intervals: list[Interval], cuts: list[Interval]) -> list[Interval]:
    """The parts of ``intervals`` outside every cut."""
    pieces = list(intervals)
    for cut_low, cut_high in cuts:
        rest = []
        for low, high in pieces:
            if cut_high <= low or cut_low >= high:
                rest.append((low, high))
                continue
            if low < cut_low:
                rest.append((low, cut_low))
            if cut_high < high:
                rest.append((cut_high, high))
        pieces = rest
    return pieces
