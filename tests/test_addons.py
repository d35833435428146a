"""SinaMirrorAddon through Scrapy's add-on loading (get_crawler applies ADDONS)."""

from __future__ import annotations

import json
import subprocess
import sys

from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from crawler.plumbing.addons import MIRROR_HANDLER, SinaMirrorAddon
from tests.support.crawl import ELSEWHERE

ADDONS = {"ADDONS": {"crawler.plumbing.addons.SinaMirrorAddon": 100}}
MIRROR_CLASS = "crawler.mirror.handler.SinaMirrorDownloadHandler"


def test_without_sina_mirror_the_addon_disables_itself():
    crawler = get_crawler(settings_dict={**ADDONS, "SINA_MIRROR": ""})
    plain = get_crawler()
    assert crawler.settings.getdict("DOWNLOAD_HANDLERS") == plain.settings.getdict("DOWNLOAD_HANDLERS")
    assert not any(isinstance(addon, SinaMirrorAddon) for addon in crawler.addons.addons)


def test_without_sina_mirror_no_mirror_module_is_imported():
    script = (
        "import json, sys\n"
        "from scrapy.utils.test import get_crawler\n"
        f"crawler = get_crawler(settings_dict={ADDONS!r})\n"
        "print(json.dumps({'addons': 'crawler.plumbing.addons' in sys.modules,\n"
        "                  'mirror': sorted(m for m in sys.modules if m.startswith('crawler.mirror'))}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ELSEWHERE, capture_output=True, text=True,
                            timeout=120, check=True)
    assert json.loads(result.stdout.splitlines()[-1]) == {"addons": True, "mirror": []}


def test_with_sina_mirror_http_and_https_go_to_the_mirror_handler():
    crawler = get_crawler(settings_dict={**ADDONS, "SINA_MIRROR": "http://127.0.0.1:8123"})
    handlers = crawler.settings.getdict("DOWNLOAD_HANDLERS")
    assert (handlers["http"], handlers["https"]) == (MIRROR_CLASS, MIRROR_CLASS)
    assert load_object(MIRROR_HANDLER).__name__ == "SinaMirrorDownloadHandler"
    (addon,) = [a for a in crawler.addons.addons if isinstance(a, SinaMirrorAddon)]
    assert addon.mirror == "http://127.0.0.1:8123"
