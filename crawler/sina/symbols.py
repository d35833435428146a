"""Stock symbols in one form per market, as the archive stores and the query command takes them.

=======  =============================  ===================================================
market   form                           read from
=======  =============================  ===================================================
A-share  ``sh600519`` ``sz000002``      ``realstock/company/sh600519/…`` links, ``stock_sh600519``
         ``bj430047`` (lower case)      spans, ``news_keyword_pub`` comments, 7x24 ``cn``
HK       ``hk00700`` (5 digits)         ``hkstock/quotes/00700.html`` links, ``stock_hk00700``,
                                        7x24 ``hk``
US       ``usAAPL`` (ticker upper case) ``usstock/quotes/AAPL.html`` links, ``stock_gb_aapl``
                                        spans, 7x24 ``us``
=======  =============================  ===================================================

Anything else Sina tags (sector and index pseudo-codes such as ``si931071``, funds, FX pairs,
futures) is no stock symbol here and is left out.
"""

from __future__ import annotations

import re

A_SHARE = re.compile(r"(sh|sz|bj)\d{6}")
_HK = re.compile(r"hk(\d{5})")
_US = re.compile(r"(?:us|gb_)([a-z][a-z0-9.\-]{0,9})", re.I)


def normalise(code: str) -> str | None:
    """``code`` (``sh600519``, ``SZ000002``, ``hk00700``, ``gb_aapl``, ``usAAPL``) in its one form, or None."""
    code = code.strip()
    lower = code.lower()
    if A_SHARE.fullmatch(lower) or _HK.fullmatch(lower):
        return lower
    us = _US.fullmatch(code)
    if us:
        return "us" + us.group(1).upper()
    return None


def from_market(market: str, symbol: str) -> str | None:
    """A 7x24 ``ext.stocks`` entry (``{market, symbol}``) in the one form, or None (funds, FX, sectors)."""
    market, symbol = market.strip().lower(), symbol.strip()
    if market == "cn":
        return normalise(symbol) if A_SHARE.fullmatch(symbol.lower()) else None
    if market == "hk" and symbol.isdigit() and len(symbol) <= 5:
        return "hk" + symbol.zfill(5)
    if market == "us":
        return normalise("us" + symbol)
    return None


def instrument_symbols(stocks: object) -> tuple[str, ...]:
    """A 7x24 item's instruments as symbols, each once: its ``ext.stocks`` entries by market + symbol
    (their ``key`` is the company's name, e.g. 福建水泥), or the bare codes an older record kept."""
    codes = []
    for stock in stocks if isinstance(stocks, list | tuple) else ():
        if isinstance(stock, dict):
            codes.append(from_market(str(stock.get("market") or ""), str(stock.get("symbol") or "")))
        else:
            codes.append(normalise(str(stock)))
    return tuple(dict.fromkeys(code for code in codes if code))


def symbol_problem(symbol: str) -> str | None:
    """Why ``symbol`` is not a symbol with a 个股资讯 list (``sh``/``sz``/``bj`` + 6 digits), or None."""
    if A_SHARE.fullmatch(symbol):
        return None
    if A_SHARE.fullmatch(symbol.lower()):
        return "write the market in lower case (e.g. sh600519)"
    if symbol.isdigit() and len(symbol) == 6:
        return "the market prefix is missing: sh (Shanghai), sz (Shenzhen) or bj (Beijing) + 6 digits"
    if re.fullmatch(r"(sh|sz|bj)\d+", symbol.lower()):
        return "expected exactly 6 digits after the market prefix"
    if normalise(symbol):
        return "only A-share symbols (sh/sz/bj + 6 digits) have a 个股资讯 list"
    return "expected sh, sz or bj followed by 6 digits (e.g. sh600519)"
