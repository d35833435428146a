"""A page's Selector that answers the template tables' queries without a scan each.

The templates ask ~20 CSS queries of every page, and libxml2 answers each by walking every
element of the document. ``IndexedSelector`` walks it once (the class and id attribute values,
and the ``<meta>`` tags), then answers simple queries — chains of ``tag``, ``.class`` and
``#id`` compounds joined by spaces, and comma groups of them — from that index, and the
same query twice from memory. Anything else (attribute selectors, pseudo-elements) goes to
parsel as before. Results are ordinary parsel Selectors, in document order.

``IndexedSelector.document(text, url)`` parses with one reused plain ``etree.HTMLParser``: the
same libxml2 tree as parsel's ``lxml.html`` parser, without a Python class lookup for every
element the queries touch (the readers need nothing of ``HtmlElement`` but serialisation).
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from parsel import Selector, SelectorList

_COMPOUND = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)?((?:[.#][A-Za-z0-9_-]+)*)")
_PART = re.compile(r"([.#])([A-Za-z0-9_-]+)")
_PSEUDO = re.compile(r"::(?:attr\(([A-Za-z_][\w-]*)\)|text)$")
_CLASS_VALUES = etree.XPath("//@class")
_ID_VALUES = etree.XPath("//@id")
Compound = tuple[str | None, frozenset[str], str | None]  # tag, classes, id


_PARSER = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)


class IndexedSelector(Selector):
    __slots__ = ("_class_values", "_classes", "_document", "_id_values", "_ids", "_memo", "_metas")

    def __init__(self, *args: Any, document: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # parsel makes query results of this class too (from a root): they query as before.
        self._document = document or "root" not in kwargs
        self._memo: dict[str, SelectorList] = {}
        self._class_values: list[Any] | None = None
        self._id_values: list[Any] | None = None
        self._classes: dict[str, list[Any]] = {}
        self._ids: dict[str, list[Any]] = {}
        self._metas: dict[str, list[str]] | None = None

    @classmethod
    def document(cls, text: str, base_url: str | None = None, utf8: bytes | None = None) -> IndexedSelector:
        """The whole page, parsed as parsel parses ``text`` (stripped, NULs removed, UTF-8).

        ``utf8``: the page's bytes when ``text`` is their exact UTF-8 decoding; parsed as they
        are when that is what parsel would parse, saving an encode of the whole page."""
        if utf8 and text.strip() is text and "\x00" not in text:
            body = utf8
        else:
            body = text.strip().replace("\x00", "").encode("utf-8") or b"<html/>"
        root = etree.fromstring(body, parser=_PARSER, base_url=base_url)
        if root is None:
            root = etree.fromstring(b"<html/>", parser=_PARSER, base_url=base_url)
        return cls(root=root, type="html", base_url=base_url, document=True)

    def css(self, query: str) -> SelectorList:
        if not self._document:
            return super().css(query)
        found = self._memo.get(query)
        if found is None:
            found = self._indexed(query)
            self._memo[query] = found if found is not None else super().css(query)
            found = self._memo[query]
        return found

    def meta(self, name: str) -> list[str]:
        """``content`` of every ``<meta name=NAME>``, then of every ``<meta property=NAME>``."""
        if self._metas is None:
            self._metas = {}
            for element in self.root.iter("meta"):
                for key in ("name", "property"):
                    if element.get(key) is not None:
                        self._metas.setdefault(f"{key}={element.get(key)}", []).append(element.get("content") or "")
        return self._metas.get(f"name={name}", []) + self._metas.get(f"property={name}", [])

    def _indexed(self, query: str) -> SelectorList | None:
        """The answer from the index, or None for a query it cannot answer."""
        pseudo = _PSEUDO.search(query)
        elements = self._answer(query[: pseudo.start()] if pseudo else query)
        if elements is None:
            return None
        if pseudo is None:
            return SelectorList(Selector(root=e, type="html", _expr=query) for e in elements)
        if pseudo.group(1) is not None:  # ::attr(name): the attribute of each element that has it
            values = [value for e in elements if (value := e.get(pseudo.group(1))) is not None]
        else:  # ::text: the element's own text nodes, as text() selects them
            values = [text for e in elements for text in (e.text, *(child.tail for child in e)) if text]
        return SelectorList(Selector(root=value, type="html", _expr=query) for value in values)

    def _answer(self, query: str) -> list[Any] | None:
        groups = [_chain(part) for part in query.split(",")]
        if any(chain is None for chain in groups):
            return None
        answers = [found for chain in groups if (found := self._select(chain))]
        if len(answers) == 1:
            return answers[0]
        # Several parts matched: one list in document order, each element once, as parsel has it.
        unique = {id(element): element for found in answers for element in found}
        return sorted(unique.values(), key=_document_order)

    def _select(self, chain: list[Compound]) -> list[Any]:
        tag, classes, id_ = chain[0]
        if id_ is not None or classes:
            self._build_index()
            pool = self._with_id(id_) if id_ is not None else self._with_class(min(classes))
            current = [e for e in map(_owner, pool) if _is(e, chain[0])]
        else:
            current = [e for e in self.root.iter(tag) if isinstance(e.tag, str)]
        for step in chain[1:]:
            seen: set[Any] = set()
            found = []
            for context in current:
                for element in context.iterdescendants(step[0] or etree.Element):
                    if element not in seen and _is(element, step):
                        seen.add(element)
                        found.append(element)
            # Contexts come in document order, so their descendants do (a nested context's were
            # already found under its ancestor).
            current = found
        return current

    def _build_index(self) -> None:
        """Every class and id attribute value, in document order (lxml's "smart" strings: the
        element behind one is looked up only when a query needs it)."""
        if self._class_values is not None:
            return
        self._class_values = _CLASS_VALUES(self.root)
        self._id_values = _ID_VALUES(self.root)

    def _with_class(self, token: str) -> list[Any]:
        """Class values holding ``token``; a cheap substring test first, then the exact split."""
        found = self._classes.get(token)
        if found is None:
            assert self._class_values is not None
            found = self._classes[token] = [v for v in self._class_values if token in v and token in v.split()]
        return found

    def _with_id(self, id_: str) -> list[Any]:
        found = self._ids.get(id_)
        if found is None:
            assert self._id_values is not None
            found = self._ids[id_] = [v for v in self._id_values if v == id_]
        return found


def _chain(query: str) -> list[Compound] | None:
    """A query of space-separated ``tag.class#id`` compounds, parsed; None for anything else."""
    steps = query.split()
    if not steps:
        return None
    chain = []
    for step in steps:
        match = _COMPOUND.fullmatch(step)
        if not match or not step:
            return None
        tag, rest = match.group(1), match.group(2)
        parts = _PART.findall(rest)
        ids = [name for kind, name in parts if kind == "#"]
        if len(ids) > 1:
            return None
        classes = frozenset(name for kind, name in parts if kind == ".")
        chain.append((tag.lower() if tag else None, classes, ids[0] if ids else None))
    return chain


def _is(element: Any, compound: Compound) -> bool:
    tag, classes, id_ = compound
    if tag is not None and element.tag != tag:
        return False
    if id_ is not None and element.get("id") != id_:
        return False
    return not classes or classes <= set((element.get("class") or "").split())


def _owner(value: Any) -> Any:
    """The element an attribute value (an lxml smart string) belongs to."""
    return value.getparent()


def _document_order(element: Any) -> tuple[int, ...]:
    """Sort key: the child index of the element and of each of its ancestors, from the root."""
    key = []
    parent = element.getparent()
    while parent is not None:
        key.append(parent.index(element))
        element, parent = parent, parent.getparent()
    return tuple(reversed(key))
