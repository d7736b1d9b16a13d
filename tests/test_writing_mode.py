"""Vertical writing modes (issue 21): a box's content turned a quarter turn, its blocks side by side in
the order the mode gives. Positions are read with `pdftotext -bbox`, which reads turned words whole, and
compared with what Chromium's A4 print gives the same document (noted beside each assertion)."""

from __future__ import annotations

import pytest

from bench.fidelity.words import Word
from tests.test_boxes import page, placed

STUB = """h3, p {{ margin: 0; font-family: Arial }} h3 {{ font-size: 32px }} p {{ font-size: 18px }}
.v {{ writing-mode: {mode}; padding: 10px; border: 1px solid #000; float: left }}"""
BODY = '<div class="v"><h3>Admit One</h3><p>No 06900666 section</p></div><p>Hello world after</p>'


def across(word: Word) -> float:
    """Where a turned word's line stands across the page: its centre's x (the edges depend on the face's
    ascent and descent, which differ between Chromium's Arial and the PDF's Helvetica)."""
    return word.centre[0]


def test_vertical_rl_turns_the_text_clockwise_and_sets_its_first_block_at_the_right() -> None:
    at = placed(page(BODY, STUB.format(mode="vertical-rl")))
    admit, one, number = at["admit"], at["one"], at["06900666"]
    # Read top to bottom: each word taller than wide, "one" under "admit" (Chromium: admit 42.0-110.0,
    # one 116.7-163.3 down the page, both at x 58.7-85.5).
    assert admit.y1 - admit.y0 > 2 * (admit.x1 - admit.x0)
    assert one.y0 > admit.y1 and one.x0 == pytest.approx(admit.x0, abs=1)
    assert across(admit) == pytest.approx(72.1, abs=3) and admit.y0 == pytest.approx(42.0, abs=3)
    # The second block to the left of the first (Chromium: x 42.9-58.0).
    assert number.x1 <= admit.x0 + 1 and across(number) == pytest.approx(50.5, abs=3)
    # The float is as wide as its two lines are high: the text beside it starts after it (Chromium: 93.7).
    assert at["hello"].x0 == pytest.approx(93.7, abs=4)


def test_vertical_lr_sets_its_first_block_at_the_left() -> None:
    at = placed(page(BODY, STUB.format(mode="vertical-lr")))
    # Chromium: admit at x 42.9-69.7, the paragraph after it at 70.6-85.7; both read downwards.
    assert across(at["admit"]) == pytest.approx(56.3, abs=3)
    assert across(at["06900666"]) == pytest.approx(78.2, abs=3)
    assert at["one"].y0 > at["admit"].y1


def test_sideways_lr_turns_the_text_anticlockwise() -> None:
    at = placed(page(BODY, STUB.format(mode="sideways-lr")))
    # Read bottom to top: "one" above "admit" (Chromium: admit 101.3-169.3, one 48.0-94.7), first block at
    # the left (admit at x 42.0, the paragraph at 69.5).
    assert at["one"].y1 < at["admit"].y0
    assert at["admit"].y1 == pytest.approx(169.3, abs=3)
    assert across(at["admit"]) == pytest.approx(55.4, abs=3) and across(at["section"]) == pytest.approx(77.1, abs=3)


def test_upright_text_sets_each_character_under_the_one_before() -> None:
    css = ".v { writing-mode: vertical-lr; text-orientation: upright; font: 18px Arial; width: 40px }"
    at = placed(page('<table><tr><td>Left</td><td><div class="v">VS</div></td><td>Right</td></tr></table>', css))
    # Chromium: v at 62.4,36.0, s at 63.5,51.0: the same column, one under the other, not turned.
    assert at["s"].y0 >= at["v"].y1 - 1 and at["s"].x0 == pytest.approx(at["v"].x0, abs=2)
    assert at["v"].x1 - at["v"].x0 < at["v"].y1 - at["v"].y0 + 2
    assert at["left"].x1 < at["v"].x0 < at["right"].x0


def test_a_box_wider_than_its_vertical_rl_lines_sets_them_at_its_right_edge() -> None:
    css = """td { padding: 0; vertical-align: top } .stub { writing-mode: vertical-rl; width: 200px;
    font: 18px Arial; border: 1px solid #000 }"""
    at = placed(page('<table><tr><td><div class="stub">Admit one</div></td><td>Main</td></tr></table>', css))
    # The block flow starts at the right: the line stands at the 150pt box's right edge (Chromium: admit at
    # x 171.1-186.2, the next cell's text at 188.2).
    assert across(at["admit"]) == pytest.approx(178.7, abs=3)
    assert at["main"].x0 > at["admit"].x1
