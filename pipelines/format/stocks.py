"""The instruments of a 7x24 item (``ext.stocks``) as the day post shows them.

Sina lists one entry per instrument, ``{"market", "symbol", "key"}``, ``key`` being the words of
the item's text it is attached to: a security's name (``{"market": "cn", "symbol": "sh600802",
"key": "福建水泥"}``; a company's A and H shares share their key), or a topic word. The entries
whose key is a topic word, not a name, are told apart by the data itself (the real reply of
tests/fixtures/replies holds each kind):

- ``market`` ``foreign``: currency pairs under 加息 or 日元 (``fx_susdcnh``, ``fx_susdjpy``);
- ``market`` ``cn`` with a symbol that is not an exchange code (``sh``/``sz``/``bj`` and six
  digits): Sina's sector indices under 半导体, 人工智能, 软件开发 (``sih30184``, ``si931071``);
- an entry with ``sym_party_status``: ETFs under 半导体, 投资, AI (``159558``, ``159352``).

They are left out of the post (``7x24.jsonl`` keeps every entry). Each other instrument is shown
once, as its name with its symbol, linked to its quote page on Sina for A shares, Hong Kong and
US stocks and funds; an entry of another market is shown without a link.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

_QUOTE_PAGES = (  # market, symbol pattern, quote page
    ("cn", re.compile(r"(?:sh|sz|bj)\d{6}"), "https://finance.sina.com.cn/realstock/company/{symbol}/nc.shtml"),
    ("hk", re.compile(r"\d{5}"), "https://stock.finance.sina.com.cn/hkstock/quotes/{symbol}.html"),
    ("us", re.compile(r"[A-Za-z][A-Za-z0-9.\-]{0,9}"), "https://stock.finance.sina.com.cn/usstock/quotes/{upper}.html"),
    ("fund", re.compile(r"\d{6}"), "https://finance.sina.com.cn/fund/quotes/{symbol}/bc.shtml"),
)
KEYWORD_MARKETS = frozenset({"foreign"})


def is_keyword(entry: dict) -> bool:
    """An entry attached to a topic word rather than naming a security (see above)."""
    market, symbol = str(entry.get("market", "")), str(entry.get("symbol", ""))
    if market in KEYWORD_MARKETS or entry.get("sym_party_status") not in (None, ""):
        return True
    return market == "cn" and not _QUOTE_PAGES[0][1].fullmatch(symbol)


def quote_url(entry: dict) -> str:
    """Sina's quote page of a security, or '' when its market has none known."""
    market, symbol = str(entry.get("market", "")), str(entry.get("symbol", ""))
    for name, pattern, url in _QUOTE_PAGES:
        if market == name and pattern.fullmatch(symbol):
            return url.format(symbol=symbol.lower(), upper=symbol.upper())
    return ""


def stock_links(entries: Iterable[dict | str]) -> list[str]:
    """HTML of each instrument once, in the reply's order: ``<a href="quote">name（symbol）</a>``.
    A plain string (the key alone, as records written before symbols were kept hold) is shown as
    it is, once."""
    shown: list[str] = []
    seen: set[object] = set()
    for entry in entries:
        if isinstance(entry, str):
            identity: object = entry
            text = html.escape(entry)
        elif isinstance(entry, dict) and entry.get("symbol") and not is_keyword(entry):
            identity = (entry.get("market"), entry["symbol"])
            name, symbol = str(entry.get("key") or "").strip(), str(entry["symbol"])
            label = html.escape(f"{name}（{symbol}）" if name and name != symbol else symbol)
            url = quote_url(entry)
            text = f'<a href="{html.escape(url)}">{label}</a>' if url else label
        else:
            continue
        if identity not in seen:
            seen.add(identity)
            shown.append(text)
    return shown
