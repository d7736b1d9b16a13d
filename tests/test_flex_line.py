"""The flex shorthand and generated content read as a browser reads them (pure units)."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from tasks.prepare.flex_line import Flex, _justify, _shrink, flex_of
from tasks.prepare.generated import as_block, text_of


@pytest.mark.parametrize(
    ("declarations", "expected"),
    [
        ({}, Flex(0, 1, "auto")),
        ({"flex": "1"}, Flex(1, 1, "0pt")),
        ({"flex": "none"}, Flex(0, 0, "auto")),
        ({"flex": "auto"}, Flex(1, 1, "auto")),
        ({"flex": "0 0 135pt"}, Flex(0, 0, "135pt")),
        ({"flex": "2 30%"}, Flex(2, 1, "30%")),
        ({"flex": "1 0 0"}, Flex(1, 0, "0pt")),
        ({"flex": "1", "flex-grow": "3"}, Flex(3, 1, "0pt")),
    ],
)
def test_the_flex_shorthand_and_its_longhands(declarations: dict[str, str], expected: Flex) -> None:
    assert flex_of(declarations) == expected


@pytest.mark.parametrize(
    ("justify", "before", "after"),
    [
        ("", [0, 0, 0], 30),
        ("flex-end", [30, 0, 0], 0),
        ("center", [15, 0, 0], 15),
        ("space-between", [0, 15, 15], 0),
        ("space-around", [5, 10, 10], 5),
        ("space-evenly", [7.5, 7.5, 7.5], 7.5),
    ],
)
def test_justify_content_shares_the_free_space(justify: str, before: list[float], after: float) -> None:
    assert _justify(30, 3, justify, [False] * 3) == (before, after)


def test_an_auto_left_margin_takes_all_the_free_space() -> None:
    assert _justify(30, 3, "center", [False, False, True]) == ([0, 0, 30], 0)


@pytest.mark.parametrize(
    ("content", "text"),
    [("'|'", "|"), ('"\\2192  next"', "\u2192 next"), ("'a' \"b\"", "ab"), ("counter(page)", None), ("''", "")],
)
def test_string_content_is_read_with_its_escapes(content: str, text: str | None) -> None:
    assert text_of(content) == text


def test_shrinking_holds_an_item_at_its_longest_word_and_takes_the_rest_from_the_others() -> None:
    # 100 points too many: shared 1:3 by basis, but the first item cannot go below 90.
    assert _shrink([100, 300], [1, 1], [90, 0], -100) == [90, 210]


def test_an_item_that_may_not_shrink_keeps_its_basis() -> None:
    assert _shrink([100, 300], [0, 1], [0, 0], -100) == [100, 200]


def test_a_block_of_generated_text_goes_in_an_element_but_never_in_an_image() -> None:
    own = {"content": "'|'", "display": "block"}
    span = lxml_html.fragment_fromstring("<span>present</span>")
    assert (
        as_block(span, "before", own) is not None
        and lxml_html.tostring(span) == b'<span><div style="display: block">|</div>present</span>'
    )
    image = lxml_html.fragment_fromstring('<img src="a.png">')
    assert as_block(image, "before", own) is None and len(image) == 0
