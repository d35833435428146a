"""The run summary as a few readable lines, for the console and for cron's stdout; the full JSON
is in ``OUTPUT_DIR/.runs/`` and the log file."""

from __future__ import annotations

from pathlib import Path

from crawler.plumbing.reach import EXIT_DRIFTED, EXIT_OK, EXIT_UNREACHABLE, outcome

WORDS = {EXIT_UNREACHABLE: "UNREACHABLE", EXIT_DRIFTED: "DRIFTED"}


def human_summary(summary: dict, log_file: Path | str | None = None, full: Path | str | None = None) -> str:
    """new/updated/unchanged, dropped with reasons, the channels that were unreachable, drifted or
    stale, the problems, and where the log and the full summary are."""
    dropped = ", ".join(f"{k} {v}" for k, v in summary["dropped"].items()) or "none"
    spider = summary.get("spider") or "sina_finance"
    code = outcome(summary)
    problems = summary["problems"]
    if code in WORDS:  # the cause only (its channels are listed above); what followed is in the summary
        cause = [problem for problem in problems if problem.startswith(WORDS[code].lower() + ": ")]
        rest = len(problems) - len(cause)
        problems = cause + ([f"{rest} more problem(s) that follow from it, in the summary"] if rest else [])
    result = "OK" if code == EXIT_OK else f"{WORDS.get(code, 'FAILED')}: " + "; ".join(problems)
    lines = [
        f"{spider} run {summary['started'] or '-'} -> {summary['finished']}: {summary['finish_reason']}",
        f"  channels   {', '.join(summary['channels']) or '-'}",
        f"  posts      {summary['new']} new, {summary['updated']} updated, {summary['unchanged']} unchanged"
        + (f", {summary['adopted']} taken over" if summary.get("adopted") else ""),
        *([f"  items      {live['new']} new, {live['updated']} updated, {live['unchanged']} unchanged"]
          if (live := summary.get("live_items")) and summary.get("feed_pages") else []),
        f"  dropped    {dropped}",
        f"  requests   {summary['requests']} ({_pages(summary)}, "
        f"{summary['article_requests']} articles, {summary['retries']} retries)",
        f"  errors     {summary['errors']}",
        *(f"  unreachable {channel}: {why}" for channel, why in summary.get("unreachable", {}).items()),
        *(f"  drifted    {channel}: {why}" for channel, why in summary.get("drifted", {}).items()),
        *(f"  stale      {channel}: {why}" for channel, why in summary.get("stale_channels", {}).items()),
        *(f"  symbol     {symbol}: {note}" for symbol, note in summary.get("symbols", {}).items()),
        *([f"  log        {log_file}"] if log_file else []),
        *([f"  summary    {full}"] if full else []),
        f"  result     {result}",
    ]
    return "\n".join(lines)


def _pages(summary: dict) -> str:
    if summary.get("feed_pages"):
        return f"{summary['feed_pages']} feed pages"
    if summary.get("symbols"):
        return f"{summary.get('list_pages', 0)} list pages"
    return f"{summary['roll_pages']} roll pages"
