"""crawler.store.coverage: which stretch of a channel's roll listing a run reads, and what it covered.

Every ctime below is written out (Beijing time in the comment); ``test_the_ctimes_below_are_the_dates_they_say``
checks the constants themselves against the calendar, never against the code under test.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from crawler.store.coverage import FOREVER, Coverage, Gap, Scan, merge, plan, settle, subtract, unread_left
from crawler.values import SHANGHAI

LOOKBACK = timedelta(hours=48)

# 2024 runs
FEB20 = 1708358400  # 2024-02-20 00:00:00
FEB28_10 = 1709085600  # 2024-02-28 10:00:00
FEB29_12 = 1709179200  # 2024-02-29 12:00:00
MAR01 = 1709222400  # 2024-03-01 00:00:00
MAR01_10 = 1709258400  # 2024-03-01 10:00:00
MAR01_11 = 1709262000  # 2024-03-01 11:00:00
MAR01_12 = 1709265600  # 2024-03-01 12:00:00
# the issue's case
MAY20_2016 = 1463673600  # 2016-05-20 00:00:00
MAY25_2016 = 1464105600  # 2016-05-25 00:00:00
MAY26_2016_NOON = 1464235200  # 2016-05-26 12:00:00
MAY27_2016 = 1464278400  # 2016-05-27 00:00:00
JUN30_2016_END = 1467302399  # 2016-06-30 23:59:59
JAN01_2005 = 1104508800  # 2005-01-01 00:00:00
DEC31_2012_END = 1356969599  # 2012-12-31 23:59:59
JAN01_2017 = 1483200000  # 2017-01-01 00:00:00
DEC31_2017_END = 1514735999  # 2017-12-31 23:59:59


def bj(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("ctime", "moment"), [
    (FEB20, bj(2024, 2, 20)), (FEB28_10, bj(2024, 2, 28, 10)), (FEB29_12, bj(2024, 2, 29, 12)),
    (MAR01, bj(2024, 3, 1)), (MAR01_10, bj(2024, 3, 1, 10)), (MAR01_11, bj(2024, 3, 1, 11)),
    (MAR01_12, bj(2024, 3, 1, 12)), (MAY20_2016, bj(2016, 5, 20)), (MAY25_2016, bj(2016, 5, 25)),
    (MAY26_2016_NOON, bj(2016, 5, 26, 12)), (MAY27_2016, bj(2016, 5, 27)),
    (JUN30_2016_END, bj(2016, 6, 30, 23, 59, 59)), (JAN01_2005, bj(2005, 1, 1)),
    (DEC31_2012_END, bj(2012, 12, 31, 23, 59, 59)), (JAN01_2017, bj(2017, 1, 1)),
    (DEC31_2017_END, bj(2017, 12, 31, 23, 59, 59)),
])
def test_the_ctimes_below_are_the_dates_they_say(ctime, moment):
    assert datetime.fromtimestamp(ctime, SHANGHAI) == moment


def scan(since: int, until: int | None = None, *, newest: int | None = None, oldest: int | None = None,
         failed: tuple[int, ...] = (), truncated: str = "", gap: Gap | None = None) -> Scan:
    """A finished scan, its findings set by hand (not through ``saw``)."""
    return Scan("china", datetime.fromtimestamp(since, SHANGHAI),
                datetime.fromtimestamp(until, SHANGHAI) if until is not None else None,
                gap=gap, cursor=gap.cursor if gap else None, oldest_seen=oldest, newest_in_window=newest,
                failed=list(failed), truncated=truncated)


# --- plan() ---------------------------------------------------------------------------------------


def test_first_run_window_is_the_last_24_hours():
    (top,) = plan("china", Coverage(), bj(2024, 3, 1, 12), LOOKBACK)
    assert (top.channel, top.since, top.until, top.gap, top.cursor) == ("china", bj(2024, 2, 29, 12), None, None, None)
    assert top.floor == FEB29_12


def test_later_run_starts_at_the_mark_less_the_lookback():
    (top,) = plan("china", Coverage(high_water=MAR01_10, floor=FEB20), bj(2024, 3, 1, 12), LOOKBACK)
    assert top.since == bj(2024, 2, 28, 10) and top.floor == FEB28_10


def test_later_run_never_starts_below_the_floor():
    (top,) = plan("china", Coverage(high_water=MAR01_10, floor=MAR01), bj(2024, 3, 1, 12), LOOKBACK)
    assert top.since == bj(2024, 3, 1) and top.floor == MAR01


def test_later_run_without_a_floor_uses_the_whole_lookback():
    (top,) = plan("china", Coverage(high_water=MAR01_10), bj(2024, 3, 1, 12), LOOKBACK)
    assert top.floor == FEB28_10


def test_since_and_until_given_are_the_window_whatever_the_coverage():
    coverage = Coverage(high_water=MAY27_2016, floor=MAY25_2016)
    (top,) = plan("china", coverage, bj(2024, 3, 1, 12), LOOKBACK, bj(2005, 1, 1), bj(2012, 12, 31, 23, 59, 59))
    assert (top.floor, top.until) == (JAN01_2005, bj(2012, 12, 31, 23, 59, 59))


def test_the_second_of_two_identical_runs_starts_where_the_first_started():
    now = bj(2024, 3, 1, 12)
    (first,) = plan("china", Coverage(), now, LOOKBACK)
    assert first.floor == FEB29_12
    first.newest_in_window, first.oldest_seen = MAR01_11, FEB29_12 + 600
    settled = settle(Coverage(), [first])
    assert settled == Coverage(high_water=MAR01_11, floor=FEB29_12, gaps=[])
    (second,) = plan("china", settled, now, LOOKBACK)
    assert second.since == bj(2024, 2, 29, 12)  # not MAR01_11 - 48 h: the floor holds it


def test_plan_emits_one_scan_per_gap_after_the_top_scan():
    gaps = [Gap(MAR01, FEB28_10), Gap(FEB28_10 - 3600, FEB20)]
    scans = plan("stock", Coverage(high_water=MAR01_10, floor=FEB20, gaps=gaps), bj(2024, 3, 1, 12), LOOKBACK,
                 until=bj(2024, 3, 1, 11))
    assert len(scans) == 3
    top, *gap_scans = scans
    assert (top.gap, top.cursor, top.until) == (None, None, bj(2024, 3, 1, 11))
    assert [(s.channel, s.gap, s.cursor, s.floor, s.until, s.page) for s in gap_scans] == [
        ("stock", Gap(MAR01, FEB28_10), MAR01, FEB28_10, None, 1),
        ("stock", Gap(FEB28_10 - 3600, FEB20), FEB28_10 - 3600, FEB20, None, 1),
    ]
    assert gap_scans[0].since == bj(2024, 2, 28, 10) and gap_scans[1].since == bj(2024, 2, 20)


# --- Scan.saw() / mark() / read() / unread() ------------------------------------------------------


def test_saw_keeps_the_oldest_item_and_the_newest_inside_the_window():
    top = Scan("china", bj(2016, 5, 20), bj(2016, 6, 30, 23, 59, 59))
    for ctime in (JUN30_2016_END + 1, MAY26_2016_NOON, JUN30_2016_END, MAY25_2016):
        top.saw(ctime)
    assert (top.oldest_seen, top.newest_in_window) == (MAY25_2016, JUN30_2016_END)


def test_saw_without_until_counts_every_item_in_the_window():
    top = Scan("china", bj(2024, 2, 20))
    for ctime in (MAR01, MAR01_12, FEB28_10):
        top.saw(ctime)
    assert (top.oldest_seen, top.newest_in_window) == (FEB28_10, MAR01_12)


def test_saw_keeps_the_oldest_item_when_a_newer_one_is_listed_after_it():
    top = Scan("china", bj(2024, 2, 20))
    for ctime in (MAR01_11, FEB28_10, MAR01):  # the roll is not always in ctime order
        top.saw(ctime)
    assert top.oldest_seen == FEB28_10


@pytest.mark.parametrize(("newest", "failed", "mark"), [
    (None, (), None),
    (None, (MAR01,), None),
    (MAR01_11, (), MAR01_11),
    (MAR01_11, (MAR01_10,), MAR01_10 - 1),
    (MAR01_11, (MAR01_10, MAR01), MAR01 - 1),  # the oldest failure holds it
    (MAR01_11, (MAR01_11,), MAR01_11 - 1),
    (MAR01_10, (MAR01_11,), MAR01_10),  # a failure above the newest item does not raise it
])
def test_mark_is_the_newest_item_but_never_past_a_failed_article(newest, failed, mark):
    assert scan(FEB20, newest=newest, failed=failed).mark() == mark


def test_a_complete_top_scan_read_everything_from_since_up():
    top = scan(FEB20, newest=MAR01_11, oldest=FEB20)
    assert (top.read(), top.unread()) == ((FEB20, FOREVER), None)


def test_a_complete_window_scan_read_from_since_up_to_the_second_after_until():
    top = scan(FEB20, MAR01, newest=FEB29_12, oldest=FEB20)
    assert (top.read(), top.unread()) == ((FEB20, MAR01 + 1), None)


def test_a_truncated_top_scan_leaves_the_stretch_below_its_oldest_item_unread():
    top = scan(FEB20, newest=MAR01_11, oldest=FEB28_10, truncated="ROLL_MAX_PAGES=2")
    # +1: more items of the oldest second may be on the unread page
    assert (top.read(), top.unread()) == ((FEB28_10 + 1, FOREVER), (FEB20, FEB28_10 + 1))


def test_a_truncated_top_scan_unread_stretch_is_capped_at_until():
    # every item listed was newer than until: the unread rest starts just above until
    top = scan(FEB20, MAR01, oldest=MAR01_10, truncated="roll API error")
    assert top.unread() == (FEB20, MAR01 + 1)


def test_a_truncated_window_scan_below_until_is_not_capped():
    top = scan(FEB20, MAR01, newest=FEB29_12, oldest=FEB28_10, truncated="roll API error")
    assert top.unread() == (FEB20, FEB28_10 + 1)


def test_a_top_scan_truncated_before_listing_anything_read_nothing_and_owes_nothing():
    top = scan(FEB20, truncated="roll API request failed")
    assert (top.read(), top.unread()) == (None, None)


def test_an_unread_stretch_at_or_below_the_floor_is_none():
    assert scan(FEB20, oldest=FEB20 - 1, truncated="x").unread() is None


def test_a_complete_gap_scan_read_its_whole_gap():
    gap_scan = scan(FEB20, gap=Gap(FEB28_10, FEB20), oldest=FEB20 + 60)
    assert (gap_scan.read(), gap_scan.unread()) == ((FEB20, FEB28_10), None)


def test_a_gap_scan_truncated_before_listing_owes_its_whole_gap():
    gap_scan = scan(FEB20, gap=Gap(FEB28_10, FEB20), truncated="roll API request failed")
    assert (gap_scan.read(), gap_scan.unread()) == (None, (FEB20, FEB28_10))


def test_a_gap_scan_truncated_partway_splits_its_gap():
    gap_scan = scan(FEB20, gap=Gap(FEB28_10, FEB20), oldest=FEB20 + 86400, truncated="x")
    assert (gap_scan.read(), gap_scan.unread()) == ((FEB20 + 86401, FEB28_10), (FEB20, FEB20 + 86401))


# --- settle() -------------------------------------------------------------------------------------


def test_a_first_run_sets_mark_and_floor():
    assert settle(Coverage(), [scan(FEB29_12, newest=MAR01_11, oldest=FEB29_12)]) == Coverage(MAR01_11, FEB29_12, [])


def test_a_first_run_that_listed_nothing_records_nothing():
    assert settle(Coverage(), [scan(FEB29_12)]) == Coverage(None, None, [])


def test_a_later_run_moves_the_mark_forward_and_keeps_the_floor():
    settled = settle(Coverage(MAR01_10, FEB20), [scan(FEB28_10, newest=MAR01_12, oldest=FEB28_10)])
    assert settled == Coverage(MAR01_12, FEB20, [])


def test_the_mark_never_moves_back():
    settled = settle(Coverage(MAR01_11, FEB20), [scan(FEB28_10, newest=MAR01, oldest=FEB28_10)])
    assert settled == Coverage(MAR01_11, FEB20, [])


def test_the_mark_stops_before_the_oldest_failed_article_and_each_failure_is_a_gap():
    top = scan(FEB28_10, newest=MAR01_12, oldest=FEB28_10, failed=(MAR01_11, MAR01_10))
    assert settle(Coverage(MAR01, FEB20), [top]) == Coverage(
        MAR01_10 - 1, FEB20, [Gap(MAR01_11 + 1, MAR01_11), Gap(MAR01_10 + 1, MAR01_10)])


def test_a_failure_below_the_old_mark_does_not_move_it_back():
    top = scan(FEB28_10, newest=MAR01_12, oldest=FEB28_10, failed=(FEB29_12,))
    assert settle(Coverage(MAR01, FEB20), [top]) == Coverage(MAR01, FEB20, [Gap(FEB29_12 + 1, FEB29_12)])


def test_the_issue_case_a_window_before_the_mark_moves_neither_mark_nor_floor():
    # mark at 2016-05-27; -a since=2005-01-01 until=2012-12-31
    window = scan(JAN01_2005, DEC31_2012_END, newest=DEC31_2012_END - 3600, oldest=JAN01_2005 + 60)
    settled = settle(Coverage(MAY27_2016, MAY25_2016), [window])
    assert settled == Coverage(MAY27_2016, MAY25_2016, [])
    assert datetime.fromtimestamp(settled.high_water, SHANGHAI) == bj(2016, 5, 27)


def test_the_issue_case_truncated_keeps_the_mark_and_records_the_rest_of_the_window():
    window = scan(JAN01_2005, DEC31_2012_END, newest=DEC31_2012_END - 3600, oldest=JAN01_2005 + 86400,
                  truncated="ROLL_MAX_PAGES=100")
    settled = settle(Coverage(MAY27_2016, MAY25_2016), [window])
    assert settled == Coverage(MAY27_2016, MAY25_2016, [Gap(JAN01_2005 + 86401, JAN01_2005)])


def test_a_window_before_the_mark_keeps_a_gap_above_until_that_no_scan_read():
    # BUG: Scan.read() of a top scan ignores ``until`` (it returns [since, FOREVER)), so a
    # backfill window 2005..2012 wipes a 2016 gap whose own gap scan failed at once.
    gap = Gap(MAY26_2016_NOON, MAY25_2016 + 43200)  # 2016-05-25 12:00 .. 2016-05-26 12:00
    coverage = Coverage(MAY27_2016, MAY25_2016, [gap])
    window, gap_scan = plan("china", coverage, bj(2024, 3, 1, 12), LOOKBACK, bj(2005, 1, 1),
                            bj(2012, 12, 31, 23, 59, 59))
    window.newest_in_window, window.oldest_seen = DEC31_2012_END - 3600, JAN01_2005 + 60
    gap_scan.truncated = "roll API request failed"
    assert settle(coverage, [window, gap_scan]) == Coverage(MAY27_2016, MAY25_2016, [gap])


def test_a_window_that_reaches_the_mark_moves_it_only_up_to_until_and_lowers_the_floor():
    window = Scan("china", bj(2016, 5, 20), bj(2016, 6, 30, 23, 59, 59))
    for ctime in (JUN30_2016_END + 3600, JUN30_2016_END - 60, MAY26_2016_NOON, MAY20_2016 + 60):
        window.saw(ctime)
    settled = settle(Coverage(MAY27_2016, MAY25_2016), [window])
    assert settled == Coverage(JUN30_2016_END - 60, MAY20_2016, [])


def test_a_window_that_reaches_the_mark_but_ends_below_it_lowers_only_the_floor():
    window = scan(MAY20_2016, MAY26_2016_NOON, newest=MAY26_2016_NOON - 60, oldest=MAY20_2016 + 60)
    settled = settle(Coverage(MAY27_2016, MAY25_2016), [window])
    assert settled == Coverage(MAY27_2016, MAY20_2016, [])


def test_a_window_reaching_the_mark_but_not_the_floor_moves_nothing():
    # since 2016-05-20 is below the mark, but until (2016-05-23 23:59:59) stays below the floor
    window = scan(MAY20_2016, MAY25_2016 - 86401, newest=MAY25_2016 - 86401 - 60, oldest=MAY20_2016)
    assert settle(Coverage(MAY27_2016, MAY25_2016), [window]) == Coverage(MAY27_2016, MAY25_2016, [])


def test_a_window_starting_exactly_at_the_mark_reaches_it():
    # since == high_water: the item at the mark's own second was fetched, the window lists from it up
    window = scan(MAR01_10, newest=MAR01_12, oldest=MAR01_10 + 60)
    assert settle(Coverage(MAR01_10, FEB20), [window]) == Coverage(MAR01_12, FEB20, [])


def test_a_window_ending_one_second_below_the_floor_touches_it_and_lowers_it():
    # until = floor - 1: the window's ctimes [since, until + 1) end exactly where the covered
    # stretch [floor, mark] starts, so nothing lies between them
    window = scan(MAY20_2016, MAY25_2016 - 1, newest=MAY25_2016 - 61, oldest=MAY20_2016 + 60)
    assert settle(Coverage(MAY27_2016, MAY25_2016), [window]) == Coverage(MAY27_2016, MAY20_2016, [])


def test_a_window_ending_two_seconds_below_the_floor_leaves_a_second_unread_and_moves_nothing():
    window = scan(MAY20_2016, MAY25_2016 - 2, newest=MAY25_2016 - 62, oldest=MAY20_2016 + 60)
    assert settle(Coverage(MAY27_2016, MAY25_2016), [window]) == Coverage(MAY27_2016, MAY25_2016, [])


def test_a_window_starting_above_the_mark_moves_nothing():
    window = scan(JAN01_2017, DEC31_2017_END, newest=DEC31_2017_END - 60, oldest=JAN01_2017 + 60)
    assert settle(Coverage(MAY27_2016, MAY25_2016), [window]) == Coverage(MAY27_2016, MAY25_2016, [])


def test_a_truncated_first_run_leaves_a_gap_and_still_marks_what_it_saw():
    top = scan(FEB20, newest=MAR01_11, oldest=FEB28_10, truncated="ROLL_MAX_PAGES=2")
    assert settle(Coverage(), [top]) == Coverage(MAR01_11, FEB20, [Gap(FEB28_10 + 1, FEB20)])


def test_a_truncated_window_scan_gap_is_capped_at_until_plus_one():
    top = scan(FEB20, MAR01, oldest=MAR01_10, truncated="roll API error")
    assert settle(Coverage(), [top]) == Coverage(None, None, [Gap(MAR01 + 1, FEB20)])


def test_a_truncated_later_run_owes_nothing_that_earlier_runs_covered():
    top = scan(FEB28_10, newest=MAR01_12, oldest=FEB29_12, truncated="ROLL_MAX_PAGES=2")
    assert settle(Coverage(MAR01_10, FEB20), [top]) == Coverage(MAR01_12, FEB20, [])


def test_a_truncated_later_run_owes_what_lies_above_the_old_mark():
    top = scan(FEB28_10, newest=MAR01_12, oldest=MAR01_11, truncated="ROLL_MAX_PAGES=2")
    assert settle(Coverage(MAR01_10, FEB20), [top]) == Coverage(MAR01_12, FEB20, [Gap(MAR01_11 + 1, MAR01_10 + 1)])


def test_a_truncated_run_after_a_mark_with_no_floor_owes_everything_below_what_it_read():
    # a mark set without a floor (set_high_water) says nothing of what lies below it
    top = scan(FEB28_10, newest=MAR01_12, oldest=MAR01_11, truncated="ROLL_MAX_PAGES=2")
    assert settle(Coverage(MAR01_10, None), [top]) == Coverage(MAR01_12, FEB28_10, [Gap(MAR01_11 + 1, FEB28_10)])


def test_a_gap_scan_that_completes_removes_its_gap():
    gap = Gap(FEB28_10 + 1, FEB20)
    top = scan(FEB29_12, newest=MAR01_12, oldest=FEB29_12)
    settled = settle(Coverage(MAR01_11, FEB20, [gap]), [top, scan(FEB20, gap=gap, oldest=FEB20 + 60)])
    assert settled == Coverage(MAR01_12, FEB20, [])


def test_a_gap_scan_truncated_again_shrinks_its_gap():
    gap = Gap(FEB28_10 + 1, FEB20)
    top = scan(FEB29_12, newest=MAR01_12, oldest=FEB29_12)
    again = scan(FEB20, gap=gap, oldest=FEB20 + 86400, truncated="ROLL_MAX_PAGES=2")
    settled = settle(Coverage(MAR01_11, FEB20, [gap]), [top, again])
    assert settled == Coverage(MAR01_12, FEB20, [Gap(FEB20 + 86401, FEB20)])


def test_a_gap_scan_that_failed_at_once_keeps_its_gap():
    gap = Gap(FEB28_10 + 1, FEB20)
    settled = settle(Coverage(MAR01_11, FEB20, [gap]), [scan(FEB29_12), scan(FEB20, gap=gap, truncated="x")])
    assert settled == Coverage(MAR01_11, FEB20, [Gap(FEB28_10 + 1, FEB20)])


def test_a_gap_scan_with_failed_articles_keeps_a_gap_for_each_failure():
    gap = Gap(FEB28_10 + 1, FEB20)
    gap_scan = scan(FEB20, gap=gap, oldest=FEB20, failed=(FEB20 + 3600, FEB20 + 7200))
    settled = settle(Coverage(MAR01_11, FEB20, [gap]), [scan(FEB29_12), gap_scan])
    assert settled == Coverage(MAR01_11, FEB20, [Gap(FEB20 + 7201, FEB20 + 7200), Gap(FEB20 + 3601, FEB20 + 3600)])


def test_gaps_without_a_scan_this_run_are_kept():
    kept, done = Gap(FEB20 + 600, FEB20), Gap(FEB28_10, FEB28_10 - 3600)
    settled = settle(Coverage(MAR01_11, FEB20 - 86400, [done, kept]), [scan(FEB29_12), scan(FEB28_10 - 3600, gap=done)])
    assert settled == Coverage(MAR01_11, FEB20 - 86400, [kept])


def test_a_new_gap_overlapping_a_kept_gap_merges_with_it():
    kept = Gap(FEB28_10, FEB20)
    top = scan(FEB20 - 86400, newest=MAR01_12, oldest=FEB29_12, truncated="ROLL_MAX_PAGES=1")
    settled = settle(Coverage(MAR01_11, FEB20, [kept]), [top])
    # owed: 02-19 .. 02-28 10:00 (02-28 10:00 .. 02-29 12:00 was covered before)
    assert settled == Coverage(MAR01_12, FEB20 - 86400, [Gap(FEB28_10, FEB20 - 86400)])


def test_a_failure_touching_an_unread_stretch_merges_with_it():
    top = scan(FEB20, newest=MAR01_11, oldest=FEB28_10, failed=(FEB28_10 + 1,), truncated="ROLL_MAX_PAGES=2")
    assert settle(Coverage(), [top]) == Coverage(FEB28_10, FEB20, [Gap(FEB28_10 + 2, FEB20)])


def test_unread_left_is_what_closed_reports():
    top = scan(FEB20, newest=MAR01_11, oldest=FEB28_10, truncated="ROLL_MAX_PAGES=2")
    assert unread_left(Coverage(), [top]) == [(FEB20, FEB28_10 + 1)]
    assert unread_left(Coverage(), [scan(FEB20, newest=MAR01_11, oldest=FEB20)]) == []


# --- merge() / subtract() -------------------------------------------------------------------------


@pytest.mark.parametrize(("intervals", "merged"), [
    ([], []),
    ([(200, 300)], [(200, 300)]),
    ([(200, 300), (100, 250)], [(100, 300)]),  # overlapping
    ([(100, 250), (200, 300)], [(100, 300)]),  # in any order
    ([(200, 300), (100, 200)], [(100, 300)]),  # touching: [200, 300) and [100, 200)
    ([(100, 300), (200, 250)], [(100, 300)]),  # one inside the other
    ([(200, 300), (100, 199)], [(200, 300), (100, 199)]),  # apart: 199 is not missing
    ([(50, 100), (200, 300), (150, 210), (10, 40)], [(150, 300), (50, 100), (10, 40)]),  # newest first
    ([(200, 300), (250, 300)], [(200, 300)]),  # same high end
])
def test_merge(intervals, merged):
    assert merge(intervals) == merged


@pytest.mark.parametrize(("intervals", "cuts", "rest"), [
    ([(100, 300)], [], [(100, 300)]),
    ([(100, 300)], [(300, 400)], [(100, 300)]),  # touching above: nothing cut
    ([(100, 300)], [(0, 100)], [(100, 300)]),  # touching below: nothing cut
    ([(100, 300)], [(150, 200)], [(100, 150), (200, 300)]),  # a hole
    ([(100, 300)], [(0, 400)], []),  # all of it
    ([(100, 300)], [(200, 400)], [(100, 200)]),
    ([(100, 300), (400, 500)], [(250, 450)], [(100, 250), (450, 500)]),
])
def test_subtract(intervals, cuts, rest):
    assert subtract(intervals, cuts) == rest
