"""Noto CJK faces from the project's requirements, made TrueType at install time and embedded.

ReportLab embeds TrueType outlines only and the Noto CJK faces come as CFF: converting one takes a minute
(71 s for Noto Sans KR on this machine). `python -m tasks.fonts.cjk` converts them all into the
environment (`<sys.prefix>/share/html2pdf-live/fonts`) as a step of installing (dev.py, a Dockerfile's
`RUN`, a buildpack's post-compile); a worker only reads them. Where that step was skipped, the first job
to need a face converts it into the user's cache and says so on its bar (stage `fonts`).
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import importlib
import io
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import fontTools
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from xhtml2pdf import context as x2p_context
from xhtml2pdf.opentype import to_truetype

#: Language -> the package (OFL 1.1 Noto fonts, one regular weight) whose sans_path()/serif_path() it uses.
PACKAGES: dict[str, str] = {
    "ko": "pylopdf_fonts_ko",
    "ja": "pylopdf_fonts_jp",
    "zh-hans": "pylopdf_fonts_zh_cn",
    "zh-hant": "pylopdf_fonts_zh_tw",
}
#: Where a run no face of its language fully covers tries next: Simplified Chinese has the most Han.
FALLBACK_ORDER = ("ko", "zh-hans", "ja", "zh-hant")

#: ReportLab's CID faces, which a document may name, and the embedded face that draws for each.
CID_STAND_INS: dict[str, tuple[str, bool]] = {
    "HYGothic-Medium": ("ko", False),
    "HYSMyeongJo-Medium": ("ko", True),
    "HeiseiKakuGo-W5": ("ja", False),
    "HeiseiMin-W3": ("ja", True),
    "STSong-Light": ("zh-hans", True),
    "MSung-Light": ("zh-hant", True),
}

log = logging.getLogger(__name__)
_original_font_names: Callable[[Any, Any], list[str]] = x2p_context.pisaContext.getFontNames
_faces: dict[tuple[str, bool], str | None] = {}
_CONVERT = (
    "import sys; from pathlib import Path; from xhtml2pdf.opentype import to_truetype;"
    " Path(sys.argv[2]).write_bytes(to_truetype(Path(sys.argv[1]).read_bytes()))"
)


def font_names(self: Any, names: Any) -> list[str]:
    """xhtml2pdf's faces for a font-family list, an embedded face in place of each CID face.

    In place of xhtml2pdf's `pisaContext.getFontNames` (tasks/render/patches.py): a CID face a document
    names (`font-family: HYGothic-Medium`) shows only where the viewer has a font."""
    resolved = _original_font_names(self, names)
    if not any(font in CID_STAND_INS for font in resolved):
        return resolved
    return [face(*CID_STAND_INS[font]) or font if font in CID_STAND_INS else font for font in resolved]


#: Called (in the render's context) before a face is converted at run time: the bar says what it waits for.
on_conversion: ContextVar[Callable[[], None] | None] = ContextVar("cjk_conversion", default=None)
_may_register: ContextVar[bool] = ContextVar("cjk_may_register", default=True)


def installed_dir() -> Path:
    """Where the install step puts converted fonts: `$CJK_FONTS_DIR`, else beside the packages they come from,
    in the environment (`<sys.prefix>/share/html2pdf-live/fonts`)."""
    return Path(os.environ.get("CJK_FONTS_DIR") or Path(sys.prefix, "share", "html2pdf-live", "fonts"))


def cache_dir() -> Path:
    """Where a render converts a font the install step did not: `$XDG_CACHE_HOME/html2pdf-live/fonts`, else
    under ~/.cache."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base, "html2pdf-live", "fonts")


def face(language: str, serif: bool) -> str | None:
    """The ReportLab name of the embedded face for `language` ("ko", "ja", "zh-hans", "zh-hant"),
    registered on first use; None when its package is not installed or its font cannot be used."""
    key = (language, serif)
    if key not in _faces:
        if not _may_register.get():
            return None
        _faces[key] = _register(language, serif)
    return _faces[key]


@contextmanager
def registered_only() -> Iterator[None]:
    """A block in which `face` answers from the faces registered already, registering (and so converting)
    none: another face is None, as if not installed, and stays unknown to later calls."""
    token = _may_register.set(False)
    try:
        yield
    finally:
        _may_register.reset(token)


def registered() -> list[tuple[str, bool]]:
    """The (language, serif) of every face registered so far."""
    return [key for key, name in _faces.items() if name is not None]


def _source(language: str, serif: bool) -> Path | None:
    try:
        package = importlib.import_module(PACKAGES[language])
    except ImportError:
        return None
    path = Path(package.serif_path() if serif else package.sans_path())
    return path if path.is_file() else None


def _register(language: str, serif: bool) -> str | None:
    source = _source(language, serif)
    if source is None:
        return None
    name = source.stem  # NotoSansKR-Regular: the name pdffonts shows after the subset prefix
    if name not in pdfmetrics.getRegisteredFontNames():
        try:
            try:
                font = TTFont(name, str(truetype_file(source)))
            except (OSError, subprocess.CalledProcessError):  # no writable cache: convert in this process
                if (listener := on_conversion.get()) is not None:
                    listener()
                font = TTFont(name, io.BytesIO(to_truetype(source.read_bytes())))
        except (OSError, ValueError, TTFError) as error:
            log.warning("Cannot use %s for CJK text, ReportLab's CID face stands in: %r", source.name, error)
            return None
        pdfmetrics.registerFont(font)
    return name


def preload() -> list[str]:
    """Register now every face whose TrueType file the install step (or an earlier conversion) left ready, and
    return their names; convert none. A worker's parent calls this before it forks (tasks/render/warmup.py):
    parsing a face's 6-14 MB file takes 0.1-0.25 s, which every pool child's first CJK job paid again."""
    ready = [key for key in _keys() if key not in _faces and (source := _source(*key)) and converted(source)]
    return [name for key in ready if (name := face(*key)) is not None]


def _keys() -> list[tuple[str, bool]]:
    return [(language, serif) for language in PACKAGES for serif in (False, True)]


def converted_name(source: Path) -> str:
    """The converted file's name: by the source's digest and fontTools' version, so a new font or converter
    converts again."""
    stat = source.stat()
    return f"{source.stem}-{_digest(source, stat.st_size, stat.st_mtime_ns)}-ft{fontTools.version}.ttf"


@functools.lru_cache(maxsize=64)
def _digest(source: Path, _size: int, _mtime_ns: int) -> str:
    """The first 16 hex digits of `source`'s SHA-256, read once per size and modification time."""
    return hashlib.sha256(source.read_bytes()).hexdigest()[:16]


def converted(source: Path) -> Path | None:
    """`source` as TrueType, installed or cached; None when nothing converted it yet."""
    name = converted_name(source)
    return next((path for path in (installed_dir() / name, cache_dir() / name) if path.is_file()), None)


def truetype_file(source: Path, directory: Path | None = None, reuse: bool = True) -> Path:
    """`source` (OpenType CFF) as a TrueType file, installed or cached, else converted now into `directory`
    (the cache unless given) by the first process to need it, telling `on_conversion` first.

    With `directory`, a conversion found elsewhere (with `reuse`) is copied there. Other processes wait on a
    lock instead of converting the same font at once."""
    target = (directory or cache_dir()) / converted_name(source)
    found = converted(source) if reuse else (target if target.is_file() else None)
    if found is not None and directory is not None and found != target:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(found, target.with_suffix(".part"))
        os.replace(target.with_suffix(".part"), target)
        return target
    if found is not None:
        return found
    if directory is None:
        log.warning("converting %s at run time: run `python -m tasks.fonts.cjk` when installing", source.name)
        listener = on_conversion.get()
        if listener is not None:
            listener()
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not target.is_file():
                partial = target.with_suffix(f".{os.getpid()}.part")
                # In a child process: converting a CJK font takes 200 MB, which a worker would keep.
                subprocess.run([sys.executable, "-c", _CONVERT, str(source), str(partial)], check=True)
                os.replace(partial, target)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


def warm(directory: Path | None = None, languages: tuple[str, ...] = tuple(PACKAGES), reuse: bool = True) -> None:
    """Convert every installed face now, one per core (`python -m tasks.fonts.cjk`), into the environment
    (`directory`, else the cache where the environment is not writable), so that no render waits."""
    sources = [path for language, serif in _keys() if language in languages and (path := _source(language, serif))]
    if directory is None:
        directory = installed_dir()
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError:
            directory = cache_dir()
        if not os.access(directory, os.W_OK):
            directory = cache_dir()

    def convert(source: Path) -> None:
        started = time.perf_counter()
        path = truetype_file(source, directory, reuse)
        print(f"{path} ({time.perf_counter() - started:.1f} s)", file=sys.stderr, flush=True)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(convert, sources))


if __name__ == "__main__":
    warm()
