"""Selector matching linear in the document: each (element, step of a selector) is decided once per cascade.

cssselect2 compiles `a b` as "any ancestor matches `a`", each ancestor tested afresh for every way
the rest of the selector could match: `x div div div div div` over 60 nested divs took 11 s. Here a
selector with descendant (` `) or sibling (`~`) combinators is evaluated step by step, remembering
per element whether the selector's first steps match it or something before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import tinycss2
from cssselect2 import parser
from cssselect2.compiler import CompiledSelector

#: A selector's pseudo-class arguments (`:is()`, `:not()`, `:has()`) are matched by cssselect2 itself,
#: each descendant or sibling combinator in them another factor of the document's depth: one is allowed.
MAX_NESTED_COMBINATORS = 1
TOO_COMPLEX = "selector: descendant combinators inside :is(), :not() or :has()"
_SCANNING = (" ", "~")
#: (selector, element, step, what) → whether it holds; one cascade's, dropped after it.
_memo: ContextVar[dict[tuple[int, Any, int, str], bool] | None] = ContextVar("selector_memo", default=None)


class TooComplex(ValueError):
    """A selector whose matching cost would grow as a power of the document's depth."""


@contextmanager
def matching() -> Iterator[None]:
    """Within it, what selectors learned about elements is remembered; after it, nothing is kept."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def compile_list(prelude: list[tinycss2.ast.Node]) -> list[CompiledSelector]:
    """A rule's selectors, compiled by cssselect2, those with ` ` or `~` matched by a `Chain`.

    Raises cssselect2's `SelectorError`, or `TooComplex` for combinators nested in pseudo-classes."""
    compiled = []
    for parsed in parser.parse(prelude):
        selector = CompiledSelector(parsed)
        steps = _steps(parsed.parsed_tree)
        if sum(_nested_combinators(compound) for compound, _ in steps) > MAX_NESTED_COMBINATORS:
            raise TooComplex(TOO_COMPLEX)
        if any(combinator in _SCANNING for _, combinator in steps):
            selector.test = Chain(steps)
        compiled.append(selector)
    return compiled


class Chain:
    """A complex selector's test: compound by compound, right to left, each answer remembered."""

    def __init__(self, steps: list[tuple[Any, str | None]]) -> None:
        self.tests: list[Callable[[Any], Any]] = [CompiledSelector(parser.Selector(step)).test for step, _ in steps]
        # The combinator joining step j to step j - 1 (None for the first).
        self.combinators = [combinator for _, combinator in steps]

    def __call__(self, element: Any) -> bool:
        memo = _memo.get()
        return self._matches(element, len(self.tests) - 1, {} if memo is None else memo)

    def _matches(self, element: Any, step: int, memo: dict[tuple[int, Any, int, str], bool]) -> bool:
        key = (id(self), element.etree_element, step, "=")
        if key not in memo:
            combinator = self.combinators[step]
            found = bool(self.tests[step](element))
            if found and combinator is not None:
                if combinator in _SCANNING:
                    found = self._before(element, step - 1, "parent" if combinator == " " else "previous", memo)
                else:
                    other = element.parent if combinator == ">" else element.previous
                    found = other is not None and self._matches(other, step - 1, memo)
            memo[key] = found
        return memo[key]

    def _before(self, element: Any, step: int, way: str, memo: dict[tuple[int, Any, int, str], bool]) -> bool:
        """Whether an element before `element` (its ancestors or its previous siblings) matches up to `step`."""
        path = []
        node = getattr(element, way)
        while node is not None and (id(self), node.etree_element, step, way) not in memo:
            path.append(node)
            node = getattr(node, way)
        found = node is not None and memo[(id(self), node.etree_element, step, way)]
        for node in reversed(path):  # from the farthest: it or something before it matches
            found = found or self._matches(node, step, memo)
            memo[(id(self), node.etree_element, step, way)] = found
        return found


def _steps(tree: Any) -> list[tuple[Any, str | None]]:
    """A complex selector as (compound, combinator before it) pairs, left to right."""
    steps: list[tuple[Any, str | None]] = []
    while isinstance(tree, parser.CombinedSelector):
        steps.append((tree.right, tree.combinator))
        tree = tree.left
    steps.append((tree, None))
    return steps[::-1]


def _nested_combinators(compound: Any) -> int:
    """How many ` ` and `~` combinators the pseudo-class arguments of `compound` hold, at any depth."""
    count = 0
    for simple in getattr(compound, "simple_selectors", ()):
        for argument in getattr(simple, "selector_list", None) or ():
            if isinstance(argument, parser.RelativeSelector):  # :has(a b): ` ` before `a` too
                count += argument.combinator in _SCANNING
                argument = argument.selector
            for inner, combinator in _steps(getattr(argument, "parsed_tree", argument)):
                count += combinator in _SCANNING
                count += _nested_combinators(inner)
    return count
