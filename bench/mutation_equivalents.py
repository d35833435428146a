"""Surviving mutants of bench/mutation.py that cannot change behaviour, by mutmut's name, with why.

mutmut numbers the mutants of each function in order, so a name stays valid while its function
is unchanged; when a function changes, run the module again and review its survivors anew.
"""

JSON = "JSON stored only to be read back by json.loads: ensure_ascii and sort_keys change its text, not its value"
WEAK = "another weak= for the engine_stopped connection: _OPEN holds the store for the crawler's life, so it fires"
UPDATED = "the coverage's 'updated' field is written for people reading Redis; nothing reads it back"
LAST_SEEN = "an article's 'last_seen' is kept for people reading Redis; nothing reads it back"
MIGRATED = ("row None after the 1->2 migration: the migration itself sets schema_version 2, so the INSERT OR "
            "IGNORE this leads to does nothing")
TAG_ID = "another default for a missing tag id: None or XXXX, neither is all digits, like \"\""
MARKER = ("another text for the placeholder of a parked <style> block: the loop before makes it absent from "
          "the body whatever it is, and nh3 keeps it in its comment")
CSS_CASE = "upper-case ::TEXT or A: parsel and the page index read CSS names and pseudo-elements case-blind"

EQUIVALENT: dict[str, str] = {
    # crawler/coverage.py
    "crawler.store.coverage.x_plan__mutmut_36": "drops the explicit until=None of a gap scan, which is the default",
    "crawler.store.coverage.x_subtract__mutmut_5": "cut_high == low: the splitting branch appends (low, high) unchanged",
    "crawler.store.coverage.x_subtract__mutmut_6": "cut_low == high: the splitting branch appends (low, high) unchanged",
    # crawler/values.py
    "crawler.values.x__iso_zone__mutmut_6": "+HHMM passed unchanged: fromisoformat reads it on Python 3.11+",
    "crawler.values.x_parse_beijing_time__mutmut_6": 'zone_text "" for None: it is only tested for truth',
    "crawler.values.x_doc_id_from_url__mutmut_9": 'host "XXXX" for "": neither is cj.sina.com.cn or k.sina.com.cn',
    "crawler.values.x_doc_id_from_url__mutmut_32": "rsplit without maxsplit: the last piece is the same",
    "crawler.values.x_doc_id_from_url__mutmut_38": "rsplit with maxsplit 2: the last piece is the same",
    "crawler.values.x_doc_id_from_url__mutmut_45": "split without maxsplit: the first piece is the same",
    "crawler.values.x_doc_id_from_url__mutmut_48": "split with maxsplit 2: the first piece is the same",
    # crawler/zhibo.py
    "crawler.sina.zhibo.x_live_entry__mutmut_68": TAG_ID,
    "crawler.sina.zhibo.x_live_entry__mutmut_73": TAG_ID,
    "crawler.sina.zhibo.x_load_feeds__mutmut_62": "default None for False: bool() of either is False",
    "crawler.sina.zhibo.x_load_feeds__mutmut_64": "no default for False: bool(None) is False",
    # crawler/pages/fields.py
    "crawler.sina.pages.fields.x_first_text__mutmut_12": CSS_CASE,
    "crawler.sina.pages.fields.x_link_texts__mutmut_8": CSS_CASE,
    "crawler.sina.pages.fields.x_link_texts__mutmut_11": CSS_CASE,
    "crawler.sina.pages.fields.x_image_urls__mutmut_11": 'None for "" as a missing <img> source: both are skipped',
    "crawler.sina.pages.fields.x_inner_html__mutmut_4": "quote=None for False: html.escape only tests it for truth",
    "crawler.sina.pages.fields.x_inner_html__mutmut_17": "with_tail left out: lxml's default is True",
    "crawler.sina.pages.fields.x_inner_html__mutmut_19": 'encoding "UNICODE": lxml reads it as "unicode"',
    "crawler.sina.pages.fields.x_published_at__mutmut_22": '"XXXX" for "" as the missing comment: neither parses as a time',
    "crawler.sina.pages.fields.x_strip_title_suffix__mutmut_7": "split without maxsplit: the first piece is the same",
    "crawler.sina.pages.fields.x_strip_title_suffix__mutmut_10": "split with maxsplit 2: the first piece is the same",
    # pipelines/format/sanitize.py
    "pipelines.format.sanitize.x__with_style_elements__mutmut_2": MARKER,
    "pipelines.format.sanitize.x__with_style_elements__mutmut_3": MARKER,
    "pipelines.format.sanitize.x__with_style_elements__mutmut_7": MARKER,
    "pipelines.format.sanitize.x__with_style_elements__mutmut_11": ("group(2) for group(1) is None: group 2 lies inside "
                                                                    "group 1, so both are None (a comment) or neither"),
    # crawler/state.py
    "crawler.store.state.x_crawl_state__mutmut_26": WEAK,
    "crawler.store.state.x_crawl_state__mutmut_29": WEAK,
    "crawler.store.state.x_crawl_state__mutmut_30": WEAK,
    "crawler.store.state.xǁSQLiteStateǁ__init____mutmut_13": "sqlite3.connect's default timeout is 5 s, the value given",
    "crawler.store.state.xǁSQLiteStateǁ_check_schema__mutmut_28": MIGRATED,
    "crawler.store.state.xǁSQLiteStateǁrecord__mutmut_11": JSON,
    "crawler.store.state.xǁSQLiteStateǁrecord_live_items__mutmut_19": JSON,
    "crawler.store.state.xǁSQLiteStateǁrecord_live_items__mutmut_20": JSON,
    "crawler.store.state.xǁSQLiteStateǁrecord_live_items__mutmut_22": JSON,
    "crawler.store.state.xǁSQLiteStateǁrecord_live_items__mutmut_23": JSON,
    "crawler.store.state.xǁSQLiteStateǁrecord_live_items__mutmut_26": JSON,
    "crawler.store.state.xǁSQLiteStateǁrecord_live_items__mutmut_27": JSON,
    # crawler/redis_state.py
    "crawler.store.redis_state.xǁRedisStateǁadopt__mutmut_10": JSON,
    "crawler.store.redis_state.xǁRedisStateǁadopt__mutmut_12": JSON,
    "crawler.store.redis_state.xǁRedisStateǁadopt__mutmut_13": JSON,
    "crawler.store.redis_state.xǁRedisStateǁrecord__mutmut_118": JSON,
    "crawler.store.redis_state.xǁRedisStateǁrecord__mutmut_120": JSON,
    "crawler.store.redis_state.xǁRedisStateǁrecord__mutmut_121": JSON,
    "crawler.store.redis_state.xǁRedisStateǁrecord_live_items__mutmut_7": JSON,
    "crawler.store.redis_state.xǁRedisStateǁrecord_live_items__mutmut_8": JSON,
    "crawler.store.redis_state.xǁRedisStateǁrecord_live_items__mutmut_10": JSON,
    "crawler.store.redis_state.xǁRedisStateǁrecord_live_items__mutmut_11": JSON,
    "crawler.store.redis_state.xǁRedisStateǁrecord_live_items__mutmut_14": JSON,
    "crawler.store.redis_state.xǁRedisStateǁrecord_live_items__mutmut_15": JSON,
    "crawler.store.redis_state.xǁRedisStateǁreset__mutmut_13": JSON,
    "crawler.store.redis_state.xǁRedisStateǁreset__mutmut_15": JSON,
    "crawler.store.redis_state.xǁRedisStateǁreset__mutmut_20": JSON,
    "crawler.store.redis_state.x_shown__mutmut_6": "a URL with a password has a username, empty when not written, never None",
    "crawler.store.redis_state.xǁRedisStateǁcoverage__mutmut_10": "Coverage(None, gaps=[]): floor defaults to None",
    "crawler.store.redis_state.xǁRedisStateǁcoverage__mutmut_11": "Coverage(None, gaps=[]): floor defaults to None",
    "crawler.store.redis_state.xǁRedisStateǁcoverage__mutmut_12": "Coverage(None, None): gaps default to an empty list",
    "crawler.store.redis_state.xǁRedisStateǁrecord__mutmut_40": LAST_SEEN,
    "crawler.store.redis_state.xǁRedisStateǁrecord__mutmut_41": LAST_SEEN,
    "crawler.store.redis_state.xǁRedisStateǁsave_coverage__mutmut_27": UPDATED,
    "crawler.store.redis_state.xǁRedisStateǁsave_coverage__mutmut_28": UPDATED,
    "crawler.store.redis_state.xǁRedisStateǁsave_coverage__mutmut_29": UPDATED,
}
