"""Value helpers on the URL and date forms listed in sina-site.md §2.1 and §2.4."""

from __future__ import annotations

from datetime import datetime

import pytest

from crawler.values import SHANGHAI, clean_text, doc_id_from_url, epoch, parse_beijing_time


@pytest.mark.parametrize(
    ("url", "doc_id"),
    [
        ("https://finance.sina.com.cn/roll/2016-04-04/doc-ifxqxcnz9093681.shtml", "fxqxcnz9093681"),
        ("https://finance.sina.com.cn/stock/t/2025-09-27/doc-infrxzyi5188371.shtml?cre=x", "nfrxzyi5188371"),
        ("https://finance.sina.com.cn/zl/china/2026-06-09/zl-iniavfst1780547.shtml", "niavfst1780547"),
        ("https://finance.sina.cn/2025-07-05/detail-infemuii8216637.d.html?vt=4", "nfemuii8216637"),
        ("https://finance.sina.com.cn/stock/t/20120707/025412502814.shtml", "025412502814"),
        ("https://cj.sina.com.cn/articles/view/2311077472/89c03e6002002ilh2", "2311077472/89c03e6002002ilh2"),
        ("https://k.sina.com.cn/article_7857201856_1d45362c001908mvz8.html?from=finance",
         "7857201856/1d45362c001908mvz8"),
        # the edges of each rule
        ("https://cj.sina.com.cn/articles/view/2311077472/89c03e6002002ilh2/", "2311077472/89c03e6002002ilh2"),
        ("https://cj.sina.com.cn/articles/view/2311077472/articles/view/X", "2311077472/articles/view/X"),
        ("https://news.sina.com.cn/articles/view/2311077472/89c03e6002002ilh2", "89c03e6002002ilh2"),
        ("https://k.sina.com.cn/article_7857201856_1d45362c_001908.html", "7857201856/1d45362c_001908"),
        ("https://finance.sina.com.cn/article_7857201856_1d45362c001908mvz8.html", "article_7857201856_1d45362c001908mvz8"),
        ("https://finance.sina.com.cn/stock/t/20120707/025412502814.d.shtml", "025412502814"),
        ("https://finance.sina.com.cn/stock/t/20120707/025412502814/", "025412502814"),
        ("https://finance.sina.com.cn/zt/2012X/", "2012X"),
        ("https://finance.sina.com.cn", ""),
    ],
)
def test_doc_id_for_every_url_form(url, doc_id):
    assert doc_id_from_url(url) == doc_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018年12月28日 19:55", datetime(2018, 12, 28, 19, 55, tzinfo=SHANGHAI)),
        ("2019 年 03 月 27 日 21:30", datetime(2019, 3, 27, 21, 30, tzinfo=SHANGHAI)),
        ("2016年05月25日10:10 \n\n新浪财经", datetime(2016, 5, 25, 10, 10, tzinfo=SHANGHAI)),
        ("2012年01月13日\u00a002:30", datetime(2012, 1, 13, 2, 30, tzinfo=SHANGHAI)),
        ("2018-12-28T19:56:29+08:00", datetime(2018, 12, 28, 19, 56, 29, tzinfo=SHANGHAI)),
        ("2018-12-28T11:56:29Z", datetime(2018, 12, 28, 19, 56, 29, tzinfo=SHANGHAI)),
        ("2018-12-28T11:56:29+0000", datetime(2018, 12, 28, 19, 56, 29, tzinfo=SHANGHAI)),
        ("2005-08-26 05:39:00", datetime(2005, 8, 26, 5, 39, tzinfo=SHANGHAI)),
        ("2018.05.09 12:52:37", datetime(2018, 5, 9, 12, 52, 37, tzinfo=SHANGHAI)),
        ("no date here", None),
        ("2019年13月40日 10:00", None),
    ],
)
def test_beijing_times(text, expected):
    value = parse_beijing_time(text)
    assert value == expected
    if expected is not None:  # == compares instants: the zone itself must be Beijing's too
        assert value.tzinfo is SHANGHAI


def test_clean_text_of_nothing_is_empty():
    assert (clean_text(None), clean_text(""), clean_text(" \u3000\u00a0\n")) == ("", "", "")


def test_epoch_seconds_from_1_up_are_beijing_times():
    assert epoch(1) == datetime(1970, 1, 1, 8, 0, 1, tzinfo=SHANGHAI)
    assert epoch(" 1635300529 ") == datetime(2021, 10, 27, 10, 8, 49, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("value", "error", "message"), [
    (0, ValueError, "bad epoch 0"),
    ("-5", ValueError, "bad epoch '-5'"),
    (True, TypeError, "boolean is not a time"),
])
def test_epoch_refuses_what_is_not_a_time(value, error, message):
    with pytest.raises(error) as caught:
        epoch(value)
    assert str(caught.value) == message
