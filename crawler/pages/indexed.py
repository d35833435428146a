"""A page's Selector that answers the template tables' queries without a scan each.

The templates ask ~20 CSS queries of every page, and libxml2 answers each by walking every
element of the document. ``IndexedSelector`` walks it once (the elements with a class or an id,
and the ``<meta>`` tags), then answers simple queries — chains of ``tag``, ``.class`` and
``#id`` compounds joined by spaces, and comma groups of them — from that index, and the
same query twice from memory. Anything else (attribute selectors, pseudo-elements) goes to
parsel as before. Results are ordinary parsel Selectors, in document order.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from parsel import Selector, SelectorList

_COMPOUND = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)?((?:[.#][A-Za-z0-9_-]+)*)")
_PART = re.compile(r"([.#])([A-Za-z0-9_-]+)")
Compound = tuple[str | None, frozenset[str], str | None]  # tag, classes, id


class IndexedSelector(Selector):
    __slots__ = ("_classes", "_document", "_ids", "_memo", "_metas")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # parsel makes query results of this class too (from a root): they query as before.
        self._document = "root" not in kwargs
        self._memo: dict[str, SelectorList] = {}
        self._classes: dict[str, list[Any]] | None = None
        self._ids: dict[str, list[Any]] = {}
        self._metas: dict[str, list[str]] | None = None

    def css(self, query: str) -> SelectorList:
        if not self._document:
            return super().css(query)
        found = self._memo.get(query)
        if found is None:
            elements = self._answer(query)
            found = (super().css(query) if elements is None
                     else SelectorList(Selector(root=e, type="html", _expr=query) for e in elements))
            self._memo[query] = found
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

    def _answer(self, query: str) -> list[Any] | None:
        groups = [_chain(part) for part in query.split(",")]
        if any(chain is None for chain in groups):
            return None
        answers = [found for chain in groups if (found := self._select(chain))]
        if len(answers) > 1:
            return None  # several parts matched: parsel puts them in document order
        return answers[0] if answers else []

    def _select(self, chain: list[Compound]) -> list[Any]:
        tag, classes, id_ = chain[0]
        if id_ is not None or classes:
            self._build_index()
            assert self._classes is not None
            pool = self._ids.get(id_, []) if id_ is not None else self._classes.get(min(classes), [])
            current = [e for e in pool if _is(e, chain[0])]
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
        if self._classes is not None:
            return
        self._classes = {}
        for element in self.root.xpath("//*[@class or @id]"):
            for token in (element.get("class") or "").split():
                self._classes.setdefault(token, []).append(element)
            if element.get("id"):
                self._ids.setdefault(element.get("id"), []).append(element)


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
