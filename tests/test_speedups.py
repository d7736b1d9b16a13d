"""The engine's speedups (tasks/render/speedups.py, fast_cascade.py, fast_layout.py) change nothing it writes.

Issue 23. Each document is rendered twice by the real engine in this process, with the speedups and with them taken
out (`speedups.disabled()`, xhtml2pdf's own functions put back), and the two PDFs must have the same pages,
every word at the same place (`pdftotext -bbox`, where poppler-utils is installed) and the same bytes but
for the dates and ids that differ from one render to the next. The replaced encoders are compared with
ReportLab's on every byte value and on thousands of random inputs.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import html5lib
import pytest
from reportlab.lib import rl_accel
from reportlab.pdfbase import pdfmetrics
from xhtml2pdf import context as x2p_context
from xhtml2pdf import parser as x2p_parser
from xhtml2pdf import reportlab_paragraph as x2p_paragraph
from xhtml2pdf.w3c import css as x2p_css

from bench.fidelity import words
from bench.fidelity.corpus import shared_corpus
from tasks.document.policy import policy_for
from tasks.render import fast_cascade, fast_layout, patches, speedups
from tasks.render.renderer import RenderResult, render_pdf
from webapp.config import load_config

CORPUS = shared_corpus()
#: xhtml2pdf's samples that exercise the most: tables, lists, <pdf:toc> (the memory let go), page templates,
#: CSS of every kind, images, right-to-left text, and its longest.
SAMPLES = (
    "manual_test/test-all.html",
    "manual_test/cookbook.html",
    "manual_test/test-pisa-toc.html",
    "manual_test/test-w3c-css.html",
    "manual_test/test-css.html",
    "manual_test/test-invoice.html",
    "manual_test/test_rtl.html",
    "testrender/test-tables.html",
    "testrender/test-list.html",
    "testrender/test-loremipsum.html",
)
#: The long documents, cut to a part each (html5lib closes what the cut leaves open): a few seconds apiece.
LONG = {"html5/html5.html": 250_000, "json/json.html": 60_000, "odyssey/odyssey.html": 200_000}

#: Selectors of every kind the memory answers for (descendant, child, sibling) and those it must not
#: (inside :has(), positions, attributes), over nesting and long runs of siblings.
OWN_CSS = """
body div p { color: #800 } .a > p { font-weight: bold } h2 ~ p { font-style: italic } h2 + p { color: #080 }
ul li:nth-child(2n) { color: #008 } li:last-child span { font-size: 14pt } section:has(> b) p { color: #088 }
div:not(.a) span.k { color: #880 } [data-x="1"] em { font-size: 9pt } .a .a .a p { margin-left: 20pt }
table tr:nth-of-type(odd) td { background: #eee } div > div > p:first-child { text-decoration: underline }
"""


def own_document(sections: int = 30) -> str:
    parts = [f"<!DOCTYPE html><html><head><style>{OWN_CSS}</style></head><body>"]
    for number in range(sections):
        parts.append(f'<section data-x="{number % 2}"><h2>Part {number}</h2>')
        parts.append("<p>After the heading <em>em</em> <span class='k'>kw</span></p>" * 3)
        parts.append(f"<div class='a'><div class='a'><div class='a'><p>deep {number}</p></div></div></div>")
        parts.append("<ul>" + "".join(f"<li>item <span>{i}</span></li>" for i in range(7)) + "</ul>")
        parts.append("<table>" + "<tr><td>a</td><td>b</td></tr>" * 4 + "</table>")
        parts.append("<b>bold child</b></section>" if number % 3 == 0 else "</section>")
    return "".join(parts) + "</body></html>"


@pytest.fixture(autouse=True)
def installed() -> None:
    patches.install()


def render(html: str, path: Path | None = None) -> RenderResult:
    base = str(path.parent) if path else None
    policy = policy_for(load_config({}), base_dir=base) if base else None
    return render_pdf(html, policy=policy, path=str(path or ""), written_for="xhtml2pdf")


def without_dates(pdf: bytes) -> bytes:
    return re.sub(rb"/(CreationDate|ModDate) \([^)]*\)|/ID\s*\[[^\]]*\]", b"", pdf)


def assert_same_render(html: str, path: Path | None = None) -> None:
    fast = render(html, path)
    with speedups.disabled():
        slow = render(html, path)
    assert fast.pages == slow.pages
    if words.available():  # the same words at the same places: a plain statement of what the bytes say
        assert words.pdf_words(fast.pdf) == words.pdf_words(slow.pdf)
    assert without_dates(fast.pdf) == without_dates(slow.pdf)


# Whole renders, with and without.


def test_a_document_of_every_kind_of_selector_renders_the_same_with_the_speedups() -> None:
    assert_same_render(own_document())


def test_tag_names_the_walk_would_change_render_the_same_without_the_memory() -> None:
    html = own_document(4).replace("<section", "<pdf:section").replace("</section>", "</pdf:section>")
    assert_same_render(html + '<svg width="10" height="10"><linearGradient id="g"/></svg>')


def long_paragraph(pages: int) -> str:
    """A justified paragraph over `pages` pages: words in other faces, a superscript after a space (the rest of
    a paragraph broken again puts that space elsewhere), links, a larger size."""
    words = []
    for number in range(pages * 900):
        words.append(f"word{number}")
        if number % 37 == 0:
            words.append(f"<sup>{number}</sup>")
        if number % 23 == 0:
            words.append(f"<b>bold {number}</b><i>italic</i>")
        if number % 101 == 0:
            words.append(f'<a href="#n{number}">link</a><span style="font-size: 14pt">big</span>')
    return "<p style='text-align: justify'>" + " ".join(words) + "</p>"


def test_paragraphs_over_many_pages_render_the_same() -> None:
    pre = "\n".join(f"<span class='k'>{n:05}</span> {'x' * (n % 120)} <em>end</em>" for n in range(300))
    assert_same_render(f"<html><body>{long_paragraph(4)}<pre style='font-size: 8pt'>{pre}</pre></body></html>")


def test_a_paragraph_over_many_pages_is_broken_into_lines_twice_not_once_a_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = {"lines": 0}
    break_lines = x2p_paragraph.Paragraph.breakLines

    def counted(self: object, *args: object) -> object:
        calls["lines"] += not getattr(self, "_splitpara", 0)  # a page's part hands back the lines it was cut with
        return break_lines(self, *args)

    monkeypatch.setattr(x2p_paragraph.Paragraph, "breakLines", counted)
    html = f"<html><body>{long_paragraph(8)}</body></html>"
    pages = render(html).pages
    fast_calls, calls["lines"] = calls["lines"], 0
    with speedups.disabled():
        render(html)
    assert pages >= 8
    assert calls["lines"] >= pages  # without: the rest broken again on every page
    assert fast_calls == 2  # with: the paragraph, and its first rest (whose lines then carry on)


def corpus_file(name: str) -> Path:
    if CORPUS is None:
        pytest.skip("no shared corpus (<repo>/../shared/corpus or $BENCH_SHARED_CORPUS)")
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"{name} is not in the shared corpus")
    return path


@pytest.mark.parametrize("name", SAMPLES)
def test_xhtml2pdf_samples_render_the_same_with_the_speedups(name: str) -> None:
    path = corpus_file(f"xhtml2pdf/{name}")
    assert_same_render(path.read_bytes().decode("utf-8", "replace"), path)


@pytest.mark.parametrize("name", list(LONG))
def test_part_of_each_long_document_renders_the_same_with_the_speedups(name: str) -> None:
    path = corpus_file(f"weasyperf/{name}")
    assert_same_render(path.read_bytes().decode("utf-8", "replace")[: LONG[name]], path)


# The pieces, against what they replace.


def test_the_memory_is_kept_only_for_documents_whose_tag_names_the_walk_leaves_alone() -> None:
    def parsed(html: str) -> object:
        return html5lib.HTMLParser(tree=html5lib.getTreeBuilder("dom")).parse(html)

    assert fast_cascade.normalised_names(parsed(own_document(2)))
    assert not fast_cascade.normalised_names(parsed("<p>a<pdf:toc/></p>"))
    assert not fast_cascade.normalised_names(parsed("<svg><linearGradient/></svg>"))


def test_disabled_puts_xhtml2pdf_back_and_the_speedups_return_after() -> None:
    with speedups.disabled():
        assert x2p_css.CSSSelectorBase.matches is not fast_cascade.selector_matches
        assert x2p_parser.getElementPosition is not fast_cascade.element_position
        assert x2p_context.PmlParaFrag.clone is not fast_layout.clone
        assert x2p_paragraph.split is not fast_layout.split_words
    assert x2p_css.CSSSelectorBase.matches is fast_cascade.selector_matches
    assert x2p_parser.getElementPosition is fast_cascade.element_position
    assert x2p_context.PmlParaFrag.clone is fast_layout.clone
    assert x2p_paragraph.split is fast_layout.split_words


def random_bytes(generator: random.Random, count: int) -> list[bytes]:
    special = [b"", b"\0", b"\0" * 4, b"\0" * 5, b"\0" * 11, bytes(range(256)), b"\xff" * 7, b"\\()"]
    return special + [
        bytes(generator.choice([0, 0, 32, 255, generator.randrange(256)]) for _ in range(generator.randrange(40)))
        for _ in range(count)
    ]


def test_ascii85_and_escaping_write_the_characters_reportlab_writes() -> None:
    for data in random_bytes(random.Random(23), 20_000):
        assert fast_layout.base85(data) == rl_accel._py_asciiBase85Encode(data)
        assert fast_layout.escape(data) == rl_accel._py_escapePDF(data)
    assert fast_layout.escape("(a)\\") == rl_accel._py_escapePDF("(a)\\")  # text, not bytes: ReportLab's own


def test_the_word_split_gives_the_words_xhtml2pdf_gives() -> None:
    original = speedups._originals[(id(x2p_paragraph), "split")]
    generator = random.Random(23)
    alphabet = "ab \t\n\xa0\u2003\x1c\u3000é😀,"
    for _ in range(5_000):
        text = "".join(generator.choice(alphabet) for _ in range(generator.randrange(12)))
        for delim in (None, " ", "\n", b" "):
            assert fast_layout.split_words(text, delim) == original(text, delim)
            assert fast_layout.split_words(text.encode(), delim) == original(text.encode(), delim)


def test_a_clone_has_the_same_attributes_in_the_same_order() -> None:
    original = speedups._originals[(id(x2p_context.PmlParaFrag), "clone")]
    frag = x2p_context.PmlParaFrag(fontName="Helvetica", fontSize=10, text="x", bulletText="•", cbDefn=object())
    for changes in ({}, {"text": "y"}, {"kind": 0, "lines": []}):
        fast, slow = fast_layout.clone(frag, **changes), original(frag, **changes)
        assert type(fast) is type(slow)
        assert list(fast.__dict__.items()) == list(slow.__dict__.items())


def test_ascent_and_descent_are_read_again_for_a_face_registered_again_under_its_name() -> None:
    original = fast_layout._original_ascent_descent
    for size in (None, 0, 9, 10.5):
        assert fast_layout.ascent_descent("Helvetica", size) == original("Helvetica", size)
    face = pdfmetrics.getFont("Helvetica")
    other = pdfmetrics.getFont("Courier")
    try:
        pdfmetrics._fonts["Helvetica"] = other
        assert fast_layout.ascent_descent("Helvetica", 10) == original("Courier", 10)
    finally:
        pdfmetrics._fonts["Helvetica"] = face
    assert fast_layout.ascent_descent("Helvetica", 10) == original("Helvetica", 10)


def test_numbers_are_written_as_reportlab_writes_them_the_first_time_and_after() -> None:
    generator = random.Random(23)
    numbers: list[float] = [0, 0.0, -0.0, 1, 1.0, True, 1e-8, -1e-7, 0.5, -0.5, 123456789.125, 2**60, -3]
    for _ in range(5_000):
        numbers.append(generator.choice([generator.uniform(-900, 900), round(generator.uniform(0, 800), 2)]))
    for _ in range(2):  # the second time from what was remembered
        for number in numbers:
            assert fast_layout.fp_str(number) == rl_accel._py_fp_str(number)
        assert fast_layout.fp_str(numbers[:6]) == rl_accel._py_fp_str(numbers[:6])
        assert fast_layout.fp_str(*numbers[6:9]) == rl_accel._py_fp_str(*numbers[6:9])


def test_only_ascii_text_in_a_left_to_right_paragraph_skips_the_search_for_right_to_left() -> None:
    original = fast_layout._original_needs_bidi
    for text in ("abc", "", "héllo", "\u05d0x", "a\u202eb", "\u0634", "plain ascii " * 9):
        for base in ("L", "R", None):
            assert fast_layout.needs_bidi(text, base) == original(text, base)
