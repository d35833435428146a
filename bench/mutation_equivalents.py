"""Surviving mutants of bench/mutation.py that cannot change behaviour, by mutmut's name, with why.

mutmut numbers the mutants of each function in order, so a name stays valid while its function
is unchanged; when a function changes, run the module again and review its survivors anew.
"""

JSON = "JSON stored only to be read back by json.loads: ensure_ascii and sort_keys change its text, not its value"
WEAK = "another weak= for the engine_stopped connection: _OPEN holds the store for the crawler's life, so it fires"
UPDATED = "the coverage's 'updated' field is written for people reading Redis; nothing reads it back"
MIGRATED = ("row None after the 1->2 migration: the migration itself sets schema_version 2, so the INSERT OR "
            "IGNORE this leads to does nothing")

EQUIVALENT: dict[str, str] = {
    # crawler/coverage.py
    "crawler.coverage.x_plan__mutmut_36": "drops the explicit until=None of a gap scan, which is the default",
    "crawler.coverage.x_subtract__mutmut_5": "cut_high == low: the splitting branch appends (low, high) unchanged",
    "crawler.coverage.x_subtract__mutmut_6": "cut_low == high: the splitting branch appends (low, high) unchanged",
    # crawler/values.py
    "crawler.values.x__iso_zone__mutmut_6": "+HHMM passed unchanged: fromisoformat reads it on Python 3.11+",
    "crawler.values.x_parse_beijing_time__mutmut_6": 'zone_text "" for None: it is only tested for truth',
    "crawler.values.x_doc_id_from_url__mutmut_9": 'host "XXXX" for "": neither is cj.sina.com.cn or k.sina.com.cn',
    "crawler.values.x_doc_id_from_url__mutmut_32": "rsplit without maxsplit: the last piece is the same",
    "crawler.values.x_doc_id_from_url__mutmut_38": "rsplit with maxsplit 2: the last piece is the same",
    "crawler.values.x_doc_id_from_url__mutmut_45": "split without maxsplit: the first piece is the same",
    "crawler.values.x_doc_id_from_url__mutmut_48": "split with maxsplit 2: the first piece is the same",
    # pipelines/format/sanitize.py
    "pipelines.format.sanitize.x_rewrite__mutmut_29": 'drops link_rel="noopener noreferrer", which is nh3\'s default',
    # crawler/state.py
    "crawler.state.x_crawl_state__mutmut_21": WEAK,
    "crawler.state.x_crawl_state__mutmut_24": WEAK,
    "crawler.state.x_crawl_state__mutmut_25": WEAK,
    "crawler.state.xǁSQLiteStateǁ__init____mutmut_13": "sqlite3.connect's default timeout is 5 s, the value given",
    "crawler.state.xǁSQLiteStateǁ_check_schema__mutmut_28": MIGRATED,
    "crawler.state.xǁSQLiteStateǁrecord__mutmut_6": JSON,
    "crawler.state.xǁSQLiteStateǁrecord__mutmut_8": JSON,
    "crawler.state.xǁSQLiteStateǁrecord__mutmut_10": JSON,
    "crawler.state.xǁSQLiteStateǁrecord_live_items__mutmut_19": JSON,
    "crawler.state.xǁSQLiteStateǁrecord_live_items__mutmut_20": JSON,
    "crawler.state.xǁSQLiteStateǁrecord_live_items__mutmut_22": JSON,
    "crawler.state.xǁSQLiteStateǁrecord_live_items__mutmut_23": JSON,
    "crawler.state.xǁSQLiteStateǁrecord_live_items__mutmut_26": JSON,
    "crawler.state.xǁSQLiteStateǁrecord_live_items__mutmut_27": JSON,
    # crawler/redis_state.py
    "crawler.redis_state.xǁRedisStateǁadopt__mutmut_10": JSON,
    "crawler.redis_state.xǁRedisStateǁadopt__mutmut_12": JSON,
    "crawler.redis_state.xǁRedisStateǁadopt__mutmut_13": JSON,
    "crawler.redis_state.xǁRedisStateǁrecord__mutmut_101": JSON,
    "crawler.redis_state.xǁRedisStateǁrecord__mutmut_103": JSON,
    "crawler.redis_state.xǁRedisStateǁrecord__mutmut_104": JSON,
    "crawler.redis_state.xǁRedisStateǁrecord_live_items__mutmut_7": JSON,
    "crawler.redis_state.xǁRedisStateǁrecord_live_items__mutmut_8": JSON,
    "crawler.redis_state.xǁRedisStateǁrecord_live_items__mutmut_10": JSON,
    "crawler.redis_state.xǁRedisStateǁrecord_live_items__mutmut_11": JSON,
    "crawler.redis_state.xǁRedisStateǁrecord_live_items__mutmut_14": JSON,
    "crawler.redis_state.xǁRedisStateǁrecord_live_items__mutmut_15": JSON,
    "crawler.redis_state.xǁRedisStateǁreset__mutmut_13": JSON,
    "crawler.redis_state.xǁRedisStateǁreset__mutmut_15": JSON,
    "crawler.redis_state.xǁRedisStateǁreset__mutmut_20": JSON,
    "crawler.redis_state.xǁRedisStateǁsave_coverage__mutmut_27": UPDATED,
    "crawler.redis_state.xǁRedisStateǁsave_coverage__mutmut_28": UPDATED,
    "crawler.redis_state.xǁRedisStateǁsave_coverage__mutmut_29": UPDATED,
}
