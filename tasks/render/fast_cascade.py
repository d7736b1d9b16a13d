"""xhtml2pdf's cascade made faster on long documents, with exactly the answers it gives (issue 23).

The W3C HTML5 specification spends half of its render matching selectors: every candidate rule with
a descendant combinator (`body .k`, `.toc li a`) is tried against each ancestor of each element,
and every ancestor is wrapped anew for the try. Within one parse the answers cannot change, so they
are remembered per (combinator, element) for the walk of that document:

- `A B`, `A > B` and `A ~ B`: whether some ancestor (the parent, a preceding sibling) matches `A` is
  the node's own answer or its parent's (its preceding sibling's), so each is worked out once.
- `.class` and attribute tests read minidom's own table, not the NamedNodeMap its `attributes` builds per read.
- An element's position among its siblings (the cascade's cache key, for `:nth-child` and the like)
  is counted once per parent rather than once per element from the first sibling.

Exact only while the DOM stands still. During xhtml2pdf's walk it does, but for two things, and the
memory is used only when neither can happen: the walk lowercases each tag name as it reaches it and
drops a `:` (`pdf:toc` becomes `pdftoc`), so the memory is used only for a document whose names are
all written that way already; and `<pdf:toc>` rewrites its element's class twenty times, so the
memory is dropped when one is met. Inside `:has()` an answer depends on the element it is asked for
(xhtml2pdf's `_scope`): there the memory is not used. Each answer is a pure function of the DOM, so
keeping it changes what is computed, never what comes out; tests/test_speedups.py renders documents
with and without these and compares every page's text and where it is drawn.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from xml.dom import Node, minidom

from xhtml2pdf import parser as x2p_parser
from xhtml2pdf.w3c import css as x2p_css
from xhtml2pdf.w3c import cssDOMElementInterface as x2p_element

ELEMENT_NODE = Node.ELEMENT_NODE


class _State(threading.local):
    """The render in progress on this thread: whether a parse is under way, and what it remembers."""

    parsing = False
    #: Per combinator qualifier (by id, held so the id stays its own): node -> whether it matched.
    memo: dict[int, tuple[Any, dict[Any, bool]]] | None = None
    #: node -> its 0-based position among its parent's element children.
    positions: dict[Any, int] | None = None


_state = _State()


def normalised_names(document: Any) -> bool:
    """Whether xhtml2pdf's walk will leave every tag name of `document` as it is (lowercase, no `:`)."""
    stack = [document]
    while stack:
        node = stack.pop()
        for child in node.childNodes:
            if child.nodeType == ELEMENT_NODE:
                name = child.tagName
                if ":" in name or name != name.lower():
                    return False
                stack.append(child)
    return True


# The cascade: combinators remembered per node.


def _remembered(qualifier: Any) -> dict[Any, bool] | None:
    """What `qualifier` answered for each node so far in this parse; None when nothing may be remembered."""
    memo = _state.memo
    if memo is None or x2p_css._scope.get() is not None:
        return None
    entry = memo.get(id(qualifier))
    if entry is None or entry[0] is not qualifier:
        entry = memo[id(qualifier)] = (qualifier, {})
    return entry[1]


def _any_along(selector: Any, node: Any, wrap: type, step: Callable[[Any], Any], known: dict[Any, bool]) -> bool:
    """Whether `node` or a node `step` leads to from it (while they are elements) matches `selector`.

    Tried nearest first, as xhtml2pdf's `any` does; the answer is then the answer of every node passed on
    the way, so each is tried at most once per parse."""
    passed = []
    found = False
    while node is not None and node.nodeType == ELEMENT_NODE:
        answer = known.get(node)
        if answer is not None:
            found = answer
            break
        if selector.matches(wrap(node)):
            known[node] = found = True
            break
        passed.append(node)
        node = step(node)
    for seen in passed:
        known[seen] = found
    return found


def _parent(node: Any) -> Any:
    return node.parentNode


def _previous_element(node: Any) -> Any:
    sibling = node.previousSibling
    while sibling is not None and sibling.nodeType != ELEMENT_NODE:
        sibling = sibling.previousSibling
    return sibling


_original_combination = x2p_css.CSSSelectorCombinationQualifier.matches


def combination_matches(self: Any, element: Any) -> Any:
    """xhtml2pdf's combinator test, remembering per node whether an ancestor or a preceding sibling matched."""
    op = self.op
    if op not in {" ", ">", "~"}:
        return _original_combination(self, element)
    known = _remembered(self)
    if known is None:
        return _original_combination(self, element)
    node = element.domElement
    if op == "~":
        return _any_along(self.selector, _previous_element(node), type(element), _previous_element, known)
    parent = node.parentNode
    if op == " ":
        return _any_along(self.selector, parent, type(element), _parent, known)
    if parent is None or parent.nodeType != ELEMENT_NODE:
        return False
    answer = known.get(parent)
    if answer is None:
        answer = known[parent] = bool(self.selector.matches(type(element)(parent)))
    return answer


def selector_matches(self: Any, element: Any = None) -> bool:
    """xhtml2pdf's `CSSSelectorBase.matches`, reading the name once instead of through three properties."""
    if element is None:
        return False
    prefix, namespace, name = self.completeName
    dom = element.domElement
    if name != "*" and name != dom.tagName:
        return False
    if prefix == "":  # "|p": an element in no namespace, as xhtml2pdf reads it
        if dom.namespaceURI:
            return False
    elif namespace not in {None, "", "*"} and namespace != dom.namespaceURI:
        return False
    for qualifier in self.qualifiers:  # noqa: SIM110 -- a loop: all() over a generator costs a frame per item
        if not qualifier.matches(element):
            return False
    return True


# Attributes read from minidom's table, without the NamedNodeMap its `attributes` property builds per read.

_Element = minidom.Element
_original_get_attr = x2p_element.CSSDOMElementInterface.getAttr
_original_class_matches = x2p_css.CSSSelectorClassQualifier.matches


def _attribute(dom: Any, name: str) -> Any:
    """`dom.attributes.get(name)`: the Attr node of `name`, or None."""
    if type(dom) is _Element:
        table = dom._attrs  # type: ignore[attr-defined]
        return table.get(name) if table is not None else None
    return dom.attributes.get(name)


def get_attr(self: Any, name: str, default: Any = NotImplemented) -> Any:
    """xhtml2pdf's `CSSDOMElementInterface.getAttr` (ids, attribute selectors): the value of `name`, or `default`."""
    found = _attribute(self.domElement, name)
    if found is not None:
        return found.value
    return default


def class_matches(self: Any, element: Any) -> bool:
    """xhtml2pdf's `.class` test: the class named is one of the element's."""
    found = _attribute(element.domElement, "class")
    if found is not None:
        return self.classId in found.value.split()
    return False


# Positions among siblings, counted once per parent.

_original_position = x2p_parser.getElementPosition


def element_position(node: Any) -> int:
    """xhtml2pdf's `getElementPosition`: how many element siblings come before `node`."""
    positions = _state.positions
    parent = node.parentNode
    if positions is None or parent is None:
        position: int = _original_position(node)
        return position
    known = positions.get(node)
    if known is None:
        count = 0
        for child in parent.childNodes:
            positions[child] = count
            if child.nodeType == ELEMENT_NODE:
                count += 1
        known = positions[node]
    return known
