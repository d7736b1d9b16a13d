"""Fonts: CJK embedded from the project's own Noto fonts, @font-face in OTF/WOFF/WOFF2, font-family stacks."""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import brotli
import pypdf
import pytest
from celery import Celery
from fontTools.fontBuilder import FontBuilder
from fontTools.misc import sstruct
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib.woff2 import WOFF2DirectoryEntry, woff2DirectoryFormat, woff2DirectorySize
from PIL import Image, ImageChops
from pypdf.generic import DictionaryObject
from reportlab.pdfbase.ttfonts import TTFError
from xhtml2pdf.opentype import FontConversionError

from harness.pdf import page_fonts
from harness.processes import ROOT
from tasks import worker
from tasks.document.failures import describe
from tasks.document.policy import server_policy
from tasks.fonts import cjk as cjk_fonts
from tasks.fonts import webfonts
from tasks.render.renderer import RenderResult, render_pdf
from tests.support import pdf_text

needs_poppler = pytest.mark.skipif(shutil.which("pdffonts") is None, reason="needs poppler-utils (pdffonts, pdftoppm)")


def render(body: str, lang: str = "ko", head: str = "") -> RenderResult:
    html = f"<html lang='{lang}'><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"
    return render_pdf(html, policy=server_policy())


def word_fonts(pdf: bytes) -> dict[str, str]:
    """Each word drawn -> the base font (subset prefix dropped) it was drawn in."""
    found: dict[str, str] = {}

    def visit(text: str, _cm: Any, _tm: Any, font: DictionaryObject | None, _size: Any) -> None:
        if font is not None:
            for word in text.split():
                found.setdefault(word, str(font["/BaseFont"]).lstrip("/").split("+")[-1])

    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return found


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """Base font name as written (with any subset prefix) -> whether the PDF carries its file."""
    fonts: dict[str, bool] = {}
    for font in page_fonts(pdf):
        descriptor = font.get("/FontDescriptor")
        files = descriptor.get_object().keys() if descriptor is not None else set()
        fonts[str(font["/BaseFont"]).lstrip("/")] = bool({"/FontFile", "/FontFile2", "/FontFile3"} & set(files))
    return fonts


# --- CJK ------------------------------------------------------------------------------------------------


def test_korean_is_embedded_as_a_subset_of_noto_sans_kr_and_reads_back() -> None:
    text = "안녕하세요, 분기 보고서입니다. 매출이 증가했습니다."
    result = render(f"<h1>분기 보고서</h1><p>{text} Revenue up 12%.</p>")
    assert text in " ".join(pdf_text(result.pdf).split())
    fonts = embedded_fonts(result.pdf)
    korean = [name for name in fonts if name.endswith("+NotoSansKR-Regular")]
    assert korean, fonts
    assert all(fonts[name] for name in korean), "the Korean face must be embedded"
    assert all(len(name.split("+")[0]) == 6 for name in korean), "a subset carries a six-letter tag"
    assert word_fonts(result.pdf)["Revenue"] == "Helvetica", "Latin text keeps the fast built-in face"


@needs_poppler
def test_pdffonts_and_pdftotext_see_an_embedded_korean_subset(tmp_path: Path) -> None:
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(render("<p>대한민국 헌법 제1조</p><p style='font-family: serif'>명조 본문</p>").pdf)
    rows = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True, timeout=30).stdout
    lines = [line.split() for line in rows.splitlines()[2:]]
    noto = {line[0].split("+")[-1]: line for line in lines if "+Noto" in line[0]}
    assert set(noto) == {"NotoSansKR-Regular", "NotoSerifKR-Regular"}, rows
    # name, type, encoding, emb, sub, uni, ...: embedded, a subset, with a ToUnicode map.
    assert all(line[-5:-2] == ["yes", "yes", "yes"] for line in noto.values()), rows
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=30).stdout
    assert "대한민국 헌법 제1조" in text and "명조 본문" in text


def glyph_image(tmp_path: Path, text: str, style: str = "") -> Image.Image:
    """Page 1 of `text` rendered large, as poppler (with no CJK font on this machine) draws it."""
    pdf = tmp_path / f"{ord(text[0])}.pdf"
    pdf.write_bytes(render(f"<p style='font-size: 60px; {style}'>{text}</p>").pdf)
    command = ["pdftoppm", "-r", "30", "-gray", "-png", "-singlefile", str(pdf), str(pdf.with_suffix(""))]
    subprocess.run(command, check=True, timeout=30)
    return Image.open(pdf.with_suffix(".png")).convert("L")


@needs_poppler
def test_different_syllables_are_drawn_differently_not_as_the_same_box(tmp_path: Path) -> None:
    first, second = glyph_image(tmp_path, "가"), glyph_image(tmp_path, "힣")
    assert ImageChops.difference(first, second).getbbox() is not None
    assert ImageChops.invert(first).getbbox() is not None, "something is drawn"


@pytest.mark.parametrize(
    ("lang", "text", "font"),
    [
        ("ja", "日本語の報告書です", "NotoSansJP-Regular"),
        ("zh-Hans", "这是一个测试报告", "NotoSansSC-Regular"),
        ("zh-TW", "這是一個測試報告", "NotoSansTC-Regular"),
    ],
)
def test_japanese_and_chinese_are_embedded_in_their_own_noto_face(lang: str, text: str, font: str) -> None:
    result = render(f"<p>{text}</p>", lang=lang)
    assert text in pdf_text(result.pdf)
    assert word_fonts(result.pdf)[text] == font
    assert all(embedded for name, embedded in embedded_fonts(result.pdf).items() if "Noto" in name)


def test_a_han_character_the_korean_face_lacks_comes_from_another_noto_face() -> None:
    # 渋 is Japanese shinjitai, not in Noto Sans KR: the whole run goes to a face that has it all.
    result = render("<p>渋谷</p>", lang="ko")
    assert "渋谷" in pdf_text(result.pdf)
    assert word_fonts(result.pdf)["渋谷"] in {"NotoSansSC-Regular", "NotoSansJP-Regular"}


def test_the_cache_converts_a_cff_font_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = tmp_path / "Tiny.otf"
    source.write_bytes(make_font("TinyCFF", "AB"))
    converted = cjk_fonts.truetype_file(source)
    assert converted.parent == tmp_path / "cache" / "html2pdf-live" / "fonts"
    assert converted.read_bytes()[:4] == b"\x00\x01\x00\x00", "TrueType outlines"
    stamp = converted.stat().st_mtime_ns
    assert cjk_fonts.truetype_file(source) == converted
    assert converted.stat().st_mtime_ns == stamp, "not converted again"
    source.write_bytes(make_font("TinyCFF", "ABC"))
    assert cjk_fonts.truetype_file(source) != converted, "a changed font is converted anew"


def test_the_install_step_converts_ahead_and_a_render_finds_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("CJK_FONTS_DIR", str(tmp_path / "installed"))
    source = tmp_path / "Tiny.otf"
    source.write_bytes(make_font("TinyCFF", "AB"))
    heard: list[str] = []
    token = cjk_fonts.on_conversion.set(lambda: heard.append("converting"))
    try:
        installed = cjk_fonts.truetype_file(source, cjk_fonts.installed_dir())  # what `python -m` does
        assert heard == [], "the install step is not a render's conversion"
        assert cjk_fonts.truetype_file(source) == installed, "a render reads the installed file"
        assert heard == [] and not (tmp_path / "cache").exists()
        source.write_bytes(make_font("TinyCFF", "ABC"))  # a font the install step never saw
        assert cjk_fonts.truetype_file(source).parent == tmp_path / "cache" / "html2pdf-live" / "fonts"
        assert heard == ["converting"], "a render's conversion is told, so the bar says `fonts`"
    finally:
        cjk_fonts.on_conversion.reset(token)


def test_a_conversion_at_run_time_shows_on_the_bar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("CJK_FONTS_DIR", str(tmp_path / "installed"))
    tiny = tmp_path / "TinyKR-Regular.otf"
    tiny.write_bytes(make_font("TinyKR", "안녕"))
    monkeypatch.setattr(cjk_fonts, "_faces", {})
    monkeypatch.setattr(cjk_fonts, "_source", lambda language, serif: tiny)
    stages: list[str] = []
    html = "<html lang='ko'><head><meta charset='utf-8'></head><body><p>안녕</p></body></html>"
    render_pdf(html, policy=server_policy(), on_progress=lambda step: stages.append(step.stage))
    assert "fonts" in stages and stages.index("fonts") > stages.index("parsing"), stages
    assert stages[-1] == "rendered"


def test_a_font_that_cannot_be_converted_leaves_the_cid_face_to_stand_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    broken = tmp_path / "Broken-Regular.otf"
    broken.write_bytes(b"OTTO" + b"\0" * 64)
    monkeypatch.setattr(cjk_fonts, "_faces", {})
    monkeypatch.setattr(cjk_fonts, "_source", lambda language, serif: broken)
    assert cjk_fonts.face("ko", False) is None
    result = render("<p>안녕하세요</p>")
    assert "안녕하세요" in pdf_text(result.pdf)
    assert word_fonts(result.pdf)["안녕하세요"] == "HYGothic-Medium"


# --- @font-face ------------------------------------------------------------------------------------------


def make_font(name: str, chars: str, *, flavor: str | None = None, swap: str = "") -> bytes:
    """A real OpenType font with PostScript (CFF) outlines: a filled box per character of `chars`, each
    of its own height; the two characters of `swap` are drawn with each other's glyph."""
    order = [".notdef", *(f"g{ord(char)}" for char in chars)]
    builder = FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder(order)
    cmap = {ord(char): f"g{ord(char)}" for char in chars}
    if swap:
        cmap[ord(swap[0])], cmap[ord(swap[1])] = cmap[ord(swap[1])], cmap[ord(swap[0])]
    builder.setupCharacterMap(cmap)
    strings = {}
    for index, glyph in enumerate(order):
        pen = T2CharStringPen(600, None)
        pen.moveTo((50, 0))
        pen.lineTo((50, 200 + 50 * index))
        pen.lineTo((550, 200 + 50 * index))
        pen.lineTo((550, 0))
        pen.closePath()
        strings[glyph] = pen.getCharString()
    builder.setupCFF(name, {"FullName": name}, strings, {})
    builder.setupHorizontalMetrics({glyph: (600, 50) for glyph in order})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": name, "styleName": "Regular", "psName": name})
    builder.setupOS2(sTypoAscender=800, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    builder.font.flavor = flavor
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("flavor", "mime"), [(None, "font/otf"), ("woff", "font/woff"), ("woff2", "font/woff2")], ids=str
)
def test_a_font_face_in_otf_woff_or_woff2_is_embedded(flavor: str | None, mime: str) -> None:
    name = f"Test{flavor or 'otf'}".title().replace(" ", "")
    data = make_font(name, "Helo wrd", flavor=flavor)
    head = (
        f"<style>@font-face {{ font-family: Brand; src: url(data:{mime};base64,{base64.b64encode(data).decode()}) }}"
        " p { font-family: Brand, sans-serif }</style>"
    )
    result = render("<p>Hello world</p>", lang="en", head=head)
    assert not [warning for warning in result.warnings if "font" in warning.lower()], result.warnings
    assert word_fonts(result.pdf)["Hello"] == name
    embedded = {key.split("+")[-1]: value for key, value in embedded_fonts(result.pdf).items()}
    assert embedded[name] is True, embedded


def test_a_font_face_file_beside_the_document_is_embedded(tmp_path: Path) -> None:
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "brand.woff2").write_bytes(make_font("FileBrand", "Hi there", flavor="woff2"))
    html = (
        "<html><head><style>@font-face { font-family: Brand; src: url(fonts/brand.woff2) format('woff2') }"
        " p { font-family: Brand }</style></head><body><p>Hi there</p></body></html>"
    )
    result = render_pdf(html, policy=server_policy(base_dir=str(tmp_path)), path=os.path.join(tmp_path, "index.html"))
    assert word_fonts(result.pdf)["Hi"] == "FileBrand"


def woff2_bomb(unpacked: int) -> bytes:
    """A WOFF2 file that declares a small font and whose brotli stream unpacks to `unpacked` bytes."""
    font = make_font("Bomb", "AB", flavor="woff2")
    header = sstruct.unpack(woff2DirectoryFormat, font[:woff2DirectorySize])
    compressor, chunk = brotli.Compressor(quality=1), b"\0" * (1 << 20)
    stream: bytes = b"".join(compressor.process(chunk) for _ in range(unpacked >> 20)) + compressor.finish()
    directory = io.BytesIO(font)
    directory.seek(woff2DirectorySize)
    for _ in range(header["numTables"]):
        WOFF2DirectoryEntry().fromFile(directory)
    directory_end = directory.tell()
    header.update(totalCompressedSize=len(stream), length=directory_end + len(stream))
    packed: bytes = sstruct.pack(woff2DirectoryFormat, header)
    return packed + font[woff2DirectorySize:directory_end] + stream


def test_a_woff2_that_unpacks_past_what_it_declares_is_refused_before_it_is_unpacked() -> None:
    # Unchecked, fontTools unpacks all 512 MB (1.1 GB RSS) before it compares the size.
    bomb = woff2_bomb(512 << 20)
    with pytest.raises(FontConversionError, match="more than the 496 bytes it declares"):
        webfonts.check(bomb)
    source = f"data:font/woff2;base64,{base64.b64encode(bomb).decode()}"
    head = f"<style>@font-face {{ font-family: Bomb; src: url({source}) }}</style>"
    result = render("<p style='font-family: Bomb'>Boom</p>", lang="en", head=head)
    assert any("Cannot embed the font" in warning and "it declares" in warning for warning in result.warnings)
    assert word_fonts(result.pdf)["Boom"] == "Helvetica"


def test_a_woff_table_that_unpacks_past_what_it_declares_is_refused() -> None:
    table = zlib.compress(b"\0" * (32 << 20))
    header = struct.pack(">4s4sLHHLHHLLLLL", b"wOFF", b"OTTO", 64 + len(table), 1, 0, 112, 1, 0, 0, 0, 0, 0, 0)
    woff = header + struct.pack(">4sLLLL", b"name", 64, len(table), 100, 0) + table
    with pytest.raises(FontConversionError, match="more than the 100 bytes it declares"):
        webfonts.check(woff)
    webfonts.check(make_font("Zip", "AB", flavor="woff"))


# --- font-family stacks ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stack", "face"),
    [
        ('"Inter", ui-sans-serif, system-ui, Arial, sans-serif', "Helvetica"),
        ('-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial', "Helvetica"),
        ('"Segoe UI", Roboto', "Helvetica"),
        ('Georgia, "Times New Roman", serif', "Times-Roman"),
        ("Cambria, Palatino, 'Book Antiqua'", "Times-Roman"),
        ('ui-monospace, SFMono-Regular, Menlo, Monaco, Consolas, "Liberation Mono", monospace', "Courier"),
        ("Menlo, Consolas", "Courier"),
        ('"JetBrains Mono"', "Courier"),
    ],
)
def test_a_font_family_stack_ends_at_the_built_in_face_of_its_kind(stack: str, face: str) -> None:
    result = render(f"<p style='font-family: {stack}'>Stacked <b>bold</b></p>", lang="en")
    fonts = word_fonts(result.pdf)
    assert fonts["Stacked"] == face
    bold = {"Helvetica": "Helvetica-Bold", "Times-Roman": "Times-Bold", "Courier": "Courier-Bold"}
    assert fonts["bold"] == bold[face]
    assert not [warning for warning in result.warnings if "font famil" in warning], result.warnings


def test_a_korean_serif_stack_draws_hangul_in_noto_serif_kr_and_latin_in_times() -> None:
    result = render("<p style='font-family: \"Nanum Myeongjo\", Batang'>본문 Body</p>")
    assert word_fonts(result.pdf) == {"본문": "NotoSerifKR-Regular", "Body": "Times-Roman"}


def test_a_documents_own_font_face_wins_over_the_built_in_stand_in() -> None:
    data = base64.b64encode(make_font("OwnRoboto", "Roboto")).decode()
    head = f"<style>@font-face {{ font-family: Roboto; src: url(data:font/otf;base64,{data}) }}</style>"
    result = render("<p style='font-family: Roboto, sans-serif'>Roboto</p>", lang="en", head=head)
    assert word_fonts(result.pdf)["Roboto"] == "OwnRoboto"


# --- One document's fonts never reach another's ----------------------------------------------------------------

INVOICE = "<p>Invoice 1001</p><p>Amount due 1,117.00</p>"


def poisoned_face(family: str) -> str:
    """A stylesheet declaring `family` as a font that draws 1 as 7 and 7 as 1 (issue 19, item 1)."""
    data = base64.b64encode(make_font("Poison", "0123456789,. AInvoicemountdue", swap="17")).decode()
    return f"<style>@font-face {{ font-family: {family}; src: url(data:font/otf;base64,{data}) }}</style>"


@needs_poppler
@pytest.mark.parametrize("family", ["helvetica", "Times-Roman", "Arial", "NotoSansKR-Regular"])
def test_a_documents_font_face_is_gone_when_its_render_ends(family: str, tmp_path: Path) -> None:
    before = render(INVOICE, lang="en")
    poisoned = render(f"<p style='font-family: {family}'>Invoice 1001</p>", lang="en", head=poisoned_face(family))
    assert "Poison" in word_fonts(poisoned.pdf).values(), "the document draws with its own font"
    after = render(INVOICE, lang="en")
    assert word_fonts(after.pdf) == word_fonts(before.pdf) == {word: "Helvetica" for word in INVOICE_WORDS}
    assert not any(embedded_fonts(after.pdf).values())
    assert page_image(after.pdf, tmp_path / "after") == page_image(before.pdf, tmp_path / "before")
    korean = render("<p>안녕하세요 1001</p>")
    assert word_fonts(korean.pdf)["안녕하세요"] == "NotoSansKR-Regular"


INVOICE_WORDS = ("Invoice", "1001", "Amount", "due", "1,117.00")


def page_image(pdf: bytes, stem: Path) -> bytes:
    """Page 1 drawn by pdftoppm, as RGB pixels."""
    stem.with_suffix(".pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "72", "-f", "1", "-l", "1", "-png", "-singlefile", str(stem.with_suffix(".pdf")), str(stem)],
        check=True,
        timeout=60,
    )
    return Image.open(stem.with_suffix(".png")).convert("RGB").tobytes()


def test_a_truetype_font_cut_short_fails_as_an_unreadable_font() -> None:
    # ReportLab read the cut file past its end and let struct's error out: "invalid_document".
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "H"])
    builder.setupCharacterMap({ord("H"): "H"})
    pen = TTGlyphPen(None)
    pen.moveTo((50, 0))
    pen.lineTo((50, 500))
    pen.lineTo((500, 0))
    pen.closePath()
    builder.setupGlyf({".notdef": pen.glyph(), "H": pen.glyph()})
    builder.setupHorizontalMetrics({".notdef": (600, 50), "H": (600, 50)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Cut", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    data = base64.b64encode(out.getvalue()[: len(out.getvalue()) // 2]).decode()
    face = f"@font-face {{ font-family: Cut; src: url(data:font/ttf;base64,{data}) }}"
    head = f"<style>{face} p {{ font-family: Cut }}</style>"
    with pytest.raises(TTFError) as raised:
        render("<p>H</p>", lang="en", head=head)
    assert describe(raised.value).code == "bad_font"


# --- the worker's warm-up (issue 24 item 2: the first CJK job within 2x of the second) ---------------------

FORKED_CHILD = """
import json, os, sys
from reportlab.pdfbase import ttfonts
from bench.fonts import korean_letter
from tasks.render.renderer import render_pdf
from tasks.render.warmup import warm_up

summary = warm_up()  # what a render worker's parent does at worker_init, before its pool forks
parsed = []
original = ttfonts.TTFontFile.__init__
def counting(self, *args, **kwargs):
    parsed.append(str(args[0]))
    original(self, *args, **kwargs)
ttfonts.TTFontFile.__init__ = counting
reading, writing = os.pipe()
if os.fork() == 0:  # a pool child: its first job
    pdf = render_pdf(korean_letter()).pdf
    os.write(writing, json.dumps({"parsed": parsed, "noto": b"NotoSansKR-Regular" in pdf}).encode())
    os._exit(0)
os.close(writing)
child = json.loads(os.read(reading, 1 << 20))
os.wait()
print(json.dumps({"summary": summary, **child}))
"""


def run_script(script: str, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_a_pool_child_forked_after_the_warm_up_parses_no_font_for_its_first_korean_job(tmp_path: Path) -> None:
    # Each child parsed the Korean faces (6-12 MB of TrueType, 0.1-0.2 s) for its first job, and children are
    # replaced every WORKER_MAX_TASKS_PER_CHILD jobs: the bench measured the first job at 2.55x the second.
    installed = tmp_path / "installed"
    cjk_fonts.warm(installed, ("ko",))  # the install step, for Korean (copied where this machine has it)
    result = run_script(FORKED_CHILD, {"CJK_FONTS_DIR": str(installed), "XDG_CACHE_HOME": str(tmp_path / "c")})
    assert "NotoSansKR-Regular" in result["summary"] and "NotoSerifKR-Regular" in result["summary"]
    assert result["noto"], "the child draws Korean in the embedded face"
    assert result["parsed"] == [], "the child parsed no font file: it shares its parent's"


def test_the_warm_up_converts_no_font_when_the_install_step_was_skipped(tmp_path: Path) -> None:
    # Converting one face takes a minute: a worker starting up must not wait for it (a first job does, and
    # its bar says `fonts`).
    script = "from tasks.render.warmup import warm_up; import json; print(json.dumps({'summary': warm_up()}))"
    cache = tmp_path / "cache"
    result = run_script(script, {"CJK_FONTS_DIR": str(tmp_path / "none"), "XDG_CACHE_HOME": str(cache)})
    assert "CJK faces parsed: none ready" in result["summary"]
    assert not cache.exists(), "nothing converted"


def test_only_a_worker_of_the_render_queue_warms_the_renderer_up() -> None:
    app = Celery("warm-up", set_as_current=False)
    app.conf.task_default_queue = "pdf"
    render = SimpleNamespace(app=app)
    assert worker.renders(render)
    webhooks = Celery("webhooks", set_as_current=False)
    webhooks.conf.task_default_queue = "pdf"
    webhooks.amqp.queues.select(["pdf-webhooks"])  # `-Q pdf-webhooks`, as the Procfile's webhook worker
    assert not worker.renders(SimpleNamespace(app=webhooks))
