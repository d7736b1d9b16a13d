"""The fidelity benchmark's measures: word boxes from pdftotext, recall, placement, size, and its corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.fidelity import corpus, words
from bench.fidelity.engines import Rendered
from bench.fidelity.metrics import (
    Comparison,
    compare,
    displacement,
    layout_agreement,
    matched_words,
    recall,
    size_ratio,
)
from bench.fidelity.summary import Row, engine_figures, halves, reports
from bench.fidelity.words import Page, Word, normalise, parse_bbox
from tests.support import xhtml2pdf_alone

BBOX = """<!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head><body><doc>
  <page width="595.000000" height="842.000000">
    <word xMin="10.000000" yMin="20.000000" xMax="50.000000" yMax="32.000000">Invoice</word>
    <word xMin="55.000000" yMin="20.000000" xMax="80.000000" yMax="32.000000">number:</word>
    <word xMin="85.000000" yMin="20.000000" xMax="90.000000" yMax="32.000000">&amp;</word>
    <word xMin="95.000000" yMin="20.000000" xMax="120.000000" yMax="32.000000">&#xFB01;ne</word>
  </page>
  <page width="612.000000" height="792.000000">
  </page>
</doc></body></html>"""


def page(*placed: tuple[str, float, float], width: float = 100.0, height: float = 100.0, size: float = 10.0) -> Page:
    """A page whose words sit at (x, y), each `size` points wide."""
    return Page(width, height, tuple(Word(text, x, y, x + size, y + 5) for text, x, y in placed))


def test_pdftotext_boxes_are_parsed_with_words_normalised_and_bare_punctuation_dropped() -> None:
    pages = parse_bbox(BBOX)

    assert [(item.width, item.height) for item in pages] == [(595.0, 842.0), (612.0, 792.0)]
    assert [word.text for word in pages[0].words] == ["invoice", "number", "fine"]
    assert pages[0].words[0] == Word("invoice", 10.0, 20.0, 50.0, 32.0)
    assert pages[1].words == ()


def test_normalising_folds_case_ligatures_and_edge_punctuation_only() -> None:
    assert normalise("«Total:»") == "total"
    assert normalise("ﬁle") == "file"
    assert normalise("$1,320.00") == "1,320.00"
    assert normalise("•") == ""


def test_recall_counts_words_as_a_multiset_over_all_pages() -> None:
    reference = [page(("a", 0, 0), ("a", 10, 0)), page(("b", 0, 0))]

    assert recall(reference, [page(("b", 0, 0), ("a", 0, 0))]) == pytest.approx(2 / 3)
    assert recall(reference, [page(("a", 0, 0), ("a", 0, 0), ("a", 0, 0), ("b", 0, 0))]) == 1.0
    assert recall(reference, []) == 0.0
    assert recall([page()], []) == 1.0


def test_recall_finds_a_word_one_side_read_letter_by_letter_and_loses_nothing_else() -> None:
    letters = page(*((letter, 10 * at, 0) for at, letter in enumerate("lower")), ("seat", 0, 20))

    assert recall([letters], [page(("lower", 0, 0), ("seat", 0, 20))]) == 1.0
    assert recall([page(("lower", 0, 0), ("seat", 0, 20))], [letters]) == 1.0
    # Letters that spell nothing the other side lacks, or are not next to each other, stay apart.
    assert recall([letters], [page(("seat", 0, 20))]) == pytest.approx(1 / 6)
    apart = page(("l", 0, 0), ("o", 10, 0), ("seat", 0, 20), ("w", 20, 0), ("e", 30, 0), ("r", 40, 0))
    assert recall([apart], [page(("lower", 0, 0), ("seat", 0, 20))]) == pytest.approx(1 / 6)
    # A word the reference uses whole as often as ours is not also taken for the reference's letters.
    assert recall([letters, page(("lower", 0, 0))], [page(("lower", 0, 0), ("seat", 0, 20))]) == pytest.approx(2 / 7)
    # Nor are words the other side has on their own joined into a run: "lo" and "w" are found, "low" is not.
    whole_and_parts = page(("low", 0, 0), ("lo", 0, 10), ("w", 0, 20))
    assert recall([whole_and_parts], [page(("lo", 0, 0), ("w", 10, 0))]) == pytest.approx(2 / 3)


def test_layout_counts_matched_words_within_six_percent_of_the_page_per_axis() -> None:
    reference = page(("near", 10, 10), ("far", 10, 50), ("missing", 10, 80))
    ours = page(("near", 15, 14), ("far", 10, 57))

    pairs = matched_words(reference, ours)

    assert [(theirs.text, mine.text) for theirs, mine in pairs] == [("near", "near"), ("far", "far")]
    assert layout_agreement(reference, ours, pairs) == pytest.approx(1 / 3)


def test_layout_compares_positions_as_shares_of_each_page() -> None:
    reference = page(("word", 50, 50), width=100, height=100)
    twice_as_large = page(("word", 105, 102.5), width=200, height=200, size=10)

    assert layout_agreement(reference, twice_as_large, matched_words(reference, twice_as_large)) == 1.0


def test_words_are_matched_in_reading_order_so_a_repeated_word_pairs_with_its_own_place() -> None:
    reference = page(("total", 0, 0), ("due", 0, 10), ("total", 0, 90))
    ours = page(("due", 0, 10), ("total", 0, 90))

    pairs = matched_words(reference, ours)

    assert [(theirs.y0, mine.y0) for theirs, mine in pairs] == [(10, 10), (90, 90)]


def test_size_is_the_median_width_ratio_of_matched_words() -> None:
    reference = page(("a", 0, 0), ("b", 0, 10), ("c", 0, 20), size=10)
    ours = Page(100, 100, (Word("a", 0, 0, 5, 5), Word("b", 0, 10, 6, 15), Word("c", 0, 20, 30, 25)))

    assert size_ratio(matched_words(reference, ours)) == pytest.approx(0.6)
    assert size_ratio([]) is None


def test_a_document_compared_with_nothing_scores_nothing() -> None:
    comparison = compare([page(("a", 0, 0))], [])

    assert (comparison.recall, comparison.layout, comparison.size_ratio) == (0.0, 0.0, None)
    assert not comparison.size_agrees


def test_the_same_pdf_agrees_with_itself() -> None:
    if not words.available():
        pytest.skip("pdftotext is missing (apt-get install poppler-utils)")
    pdf = xhtml2pdf_alone("<h1>Fidelity</h1><p>" + "Every word where its author put it. " * 40 + "</p>")

    pages = words.pdf_words(pdf)
    comparison = compare(pages, pages)

    assert sum(len(item.words) for item in pages) > 200
    assert (comparison.recall, comparison.layout, comparison.size_ratio) == (1.0, 1.0, 1.0)


def test_every_corpus_document_is_kept_or_listed_and_its_source_is_written_down() -> None:
    sources = (Path(corpus.__file__).parent / "SOURCES.md").read_text()

    for source in corpus.BROWSER:
        assert f"`{source.path.split('/')[0]}/`" in sources, f"{source.path} has no line in SOURCES.md"
    for source in corpus.KEPT:
        assert (corpus.HERE / source.path).is_file(), source.path
    assert not set(corpus.KEPT) & set(corpus.LISTED)


def listed_corpus(root: Path) -> Path:
    """A stand-in for the shared corpus's `browser/` folder, holding every listed document."""
    for source in corpus.LISTED:
        (root / source.path).parent.mkdir(parents=True, exist_ok=True)
        (root / source.path).write_text("<p>x</p>")
    return root


def test_listed_documents_are_read_from_where_the_environment_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(corpus.BROWSER_ENV, str(tmp_path / "nowhere"))
    assert corpus.browser_corpus() is None
    assert [document.path for document in corpus.browser_documents()] == [
        corpus.HERE / source.path for source in corpus.KEPT
    ]
    assert corpus.absent_documents() == list(corpus.LISTED)

    monkeypatch.setenv(corpus.BROWSER_ENV, str(listed_corpus(tmp_path)))
    documents = corpus.browser_documents()
    assert corpus.absent_documents() == []
    assert len(documents) == len(corpus.BROWSER)
    for document in documents:
        assert document.path.is_file() and document.path.is_relative_to(document.base), document
        assert document.base in (corpus.HERE, tmp_path)


def test_the_shared_corpus_is_found_where_the_environment_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "weasyperf").mkdir()
    (tmp_path / "xhtml2pdf" / "testrender").mkdir(parents=True)
    (tmp_path / "xhtml2pdf" / "testrender" / "simple-test.html").write_text("<p>x</p>")
    monkeypatch.setenv(corpus.ENV, str(tmp_path))

    assert corpus.shared_corpus() == tmp_path
    assert [item.name for item in corpus.shared_documents(tmp_path, quick=True)] == ["xhtml2pdf/simple-test"]
    assert [item.name for item in corpus.xhtml2pdf_documents(tmp_path)] == ["xhtml2pdf/testrender/simple-test"]


def row(name: str, ours: Comparison | None, report: dict[str, Any] | None = None) -> Row:
    """A document the reference printed and the service rendered (or not, without a comparison)."""
    document = corpus.Document(name, "browser", Path(name), Path("."))
    pdf = b"%PDF" if ours else None
    return Row(document, Rendered(b"%PDF", 1.0), Rendered(pdf, 2.0, report=report), Rendered(b"%PDF", 3.0), ours, ours)


def test_targets_count_a_document_that_does_not_render_as_recall_and_layout_zero() -> None:
    good = Comparison(recall=1.0, layout=0.9, size_ratio=1.1, matched=10, reference_words=10)
    small = Comparison(recall=0.98, layout=0.5, size_ratio=0.55, matched=10, reference_words=10)

    figures = {
        figure.label: figure
        for figure in engine_figures([row("a", good), row("b", small), row("c", None)], "service", True)
    }

    assert figures["service: documents that render"].value == pytest.approx(200 / 3)
    assert figures["service: lowest text recall"].value == 0.0
    assert figures["service: mean layout agreement, page 1"].value == pytest.approx(1.4 / 3)
    assert figures["service: documents with text size within 15%"].value == pytest.approx(100 / 3)
    assert figures["service: median text size ratio (to Chromium)"].value == pytest.approx(0.825)
    assert [figure.met for figure in figures.values() if figure.target] == [False, False, False, False]


def test_the_services_own_fidelity_reports_are_listed_where_they_say_something() -> None:
    quiet = {"mode": "xhtml2pdf", "ignored_css": {}, "blocked_resources": [], "degraded": []}
    said = {"mode": "browser", "ignored_css": {"grid": 3}, "blocked_resources": [], "degraded": ["table scaled"]}
    comparison = Comparison(recall=1.0, layout=1.0, size_ratio=1.0, matched=1, reference_words=1)

    lines = reports([row("quiet", comparison, quiet), row("loud", comparison, said)])

    assert lines[1:] == ["  - loud: mode browser; ignored_css {'grid': 3}; degraded ['table scaled']"]
    assert reports([row("quiet", comparison, quiet)]) == [
        "- The service's fidelity reports (job JSON) were empty for every document."
    ]


def test_the_corpus_is_split_by_repository_into_two_halves_of_known_kinds() -> None:
    sources = [*corpus.BROWSER, *corpus.WEASYPERF]
    halves: dict[str, set[str]] = {}
    for source in sources:
        halves.setdefault(source.repository, set()).add(source.half)
        assert source.kind in corpus.KINDS, source
        assert source.half in corpus.HALVES, source

    assert all(len(found) == 1 for found in halves.values()), "a repository with documents in both halves"
    assert {source.half for source in sources} == set(corpus.HALVES)
    assert len({source.path for source in sources}) == len(sources)


def test_a_half_selects_its_own_documents_and_leaves_out_xhtml2pdfs_samples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(corpus.BROWSER_ENV, str(listed_corpus(tmp_path / "browser")))
    (tmp_path / "xhtml2pdf" / "testrender").mkdir(parents=True)
    (tmp_path / "xhtml2pdf" / "testrender" / "simple-test.html").write_text("<p>x</p>")
    held_out = corpus.browser_documents(half=corpus.HELD_OUT)

    assert held_out and {document.half for document in held_out} == {corpus.HELD_OUT}
    assert len(held_out) + len(corpus.browser_documents(half=corpus.TUNING)) == len(corpus.browser_documents())
    assert corpus.shared_documents(tmp_path, half=corpus.TUNING) == []
    assert [item.name for item in corpus.shared_documents(tmp_path)] == ["xhtml2pdf/simple-test"]


def test_displacement_is_the_median_distance_from_the_references_place_in_its_points() -> None:
    reference = page(("a", 0, 0), ("b", 0, 10), ("c", 0, 20))
    ours = page(("a", 0, 3), ("b", 4, 13), ("c", 0, 20))
    twice_as_large = Page(200, 200, tuple(Word(w.text, 2 * w.x0, 2 * w.y0, 2 * w.x1, 2 * w.y1) for w in ours.words))

    # a moved 3 points, b 5 (4 across, 3 down), c not at all; a page twice as large moves nothing more.
    assert displacement(reference, ours, matched_words(reference, ours)) == pytest.approx(3.0)
    assert displacement(reference, twice_as_large, matched_words(reference, twice_as_large)) == pytest.approx(3.0)
    assert displacement(reference, ours, []) is None


def test_each_half_is_reported_apart_with_weasyprint_only_where_it_rendered() -> None:
    good = Comparison(recall=1.0, layout=0.9, size_ratio=1.0, matched=10, reference_words=10, displacement=2.0)
    tuning, held_out = row("a", good), row("b", None)
    held_out.document = corpus.Document("b", "browser", Path("b"), Path("."), half=corpus.HELD_OUT, kind="cv")
    tuning.document = corpus.Document("a", "browser", Path("a"), Path("."), half=corpus.TUNING, kind="email")

    lines = halves([tuning, held_out])

    assert lines[0].startswith("- **tuning half**: 1 documents from 1 repositories (email 1)")
    assert [line.split(":")[0].strip() for line in lines[1:3]] == ["- service", "- stock"]
    assert "renders 0/1, recall ≥ 0.97 0/1, mean layout 0.00" in lines[4]
    assert not any("weasyprint" in line for line in lines)
