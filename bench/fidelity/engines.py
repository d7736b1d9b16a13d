"""The renderers compared: the service's, stock xhtml2pdf, WeasyPrint, and Chromium's print (the reference)."""

from __future__ import annotations

import functools
import gc
import importlib.util
import inspect
import io
import logging
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote

import pypdf

from bench.fidelity.corpus import Document

CHROMIUM = Path("/usr/bin/chromium")
# The flags a batch print needs, as for `chromium --headless --print-to-pdf`.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# `--print-to-pdf` prints on Letter with 1 cm margins and no way to choose the paper; the
# service's default is A4. Chromium is driven through DevTools (Playwright) to print the
# same way on A4: the document's own @page size and margins still win, as in the CLI.
PRINT = {"format": "A4", "margin": dict.fromkeys(("top", "right", "bottom", "left"), "1cm")}
PREPARE = "auto"


@dataclass
class Rendered:
    """A PDF, or why there is none, and what it cost."""

    pdf: bytes | None
    seconds: float
    cpu: float = 0.0
    error: str = ""
    #: The service's own fidelity report for the job (issue 14), as the job JSON carries it.
    report: dict[str, Any] | None = None

    @functools.cached_property
    def pages(self) -> int:
        """The PDF's page count (0 for no PDF, or one pypdf cannot read)."""
        if self.pdf is None:
            return 0
        try:
            return len(pypdf.PdfReader(io.BytesIO(self.pdf)).pages)
        except pypdf.errors.PyPdfError:
            return 0


def service_takes_prepare() -> bool:
    """Whether the service's renderer has the preparation stage's `written_for` option (issue 14)."""
    from tasks.render.renderer import render_pdf

    return "written_for" in inspect.signature(render_pdf).parameters


def _quiet() -> None:
    # xhtml2pdf and WeasyPrint log every CSS rule they cannot use; the figures say what matters.
    for name in ("xhtml2pdf", "weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _render_service(path: str, base: str, written_for: str = PREPARE) -> Rendered:
    """Render as the worker does for a zip upload: decoded as the web tier decodes, reads inside `base`."""
    from tasks.document.policy import policy_for
    from tasks.render.renderer import render_pdf
    from webapp.config import load_config
    from webapp.decoding import decode_html

    started, cpu = time.perf_counter(), time.process_time()
    try:
        html = decode_html(Path(path).read_bytes())
    except Exception as exc:
        # The web tier decodes an upload before the worker sees it: a failure here is the service's.
        return Rendered(None, time.perf_counter() - started, time.process_time() - cpu, f"decoding: {exc!r}")
    try:
        options: dict[str, Any] = {"policy": policy_for(load_config({}), base_dir=base), "path": path}
        if service_takes_prepare():
            options["written_for"] = written_for
        rendered = render_pdf(html, **options)
    except Exception as exc:
        return Rendered(None, time.perf_counter() - started, time.process_time() - cpu, type(exc).__name__)
    seconds, used = time.perf_counter() - started, time.process_time() - cpu
    fidelity: Any = getattr(rendered, "fidelity", None)  # the job's report, where the renderer has one
    report = fidelity.as_dict() if hasattr(fidelity, "as_dict") else None
    return Rendered(rendered.pdf, seconds, used, report=report)


def _render_stock(path: str, base: str) -> Rendered:
    """Render with xhtml2pdf's defaults, as its documentation shows, reading files inside `base`."""
    from xhtml2pdf.config.resources import ResourceAccessPolicy
    from xhtml2pdf.document import pisaDocument

    started, cpu = time.perf_counter(), time.process_time()
    out = io.BytesIO()
    try:
        # A file, not a str: for a str xhtml2pdf spools a temporary file it never closes.
        with open(path, "rb") as source:
            # The default policy reads only beside `path`; an upload's folder is `base`.
            pisaDocument(source, dest=out, path=path, resource_policy=ResourceAccessPolicy(base_dir=Path(base)))
        pdf: bytes | None = out.getvalue() or None
        error = "" if pdf else "no PDF"
    except Exception as exc:
        pdf, error = None, type(exc).__name__
    return Rendered(pdf, time.perf_counter() - started, time.process_time() - cpu, error)


def weasyprint_available() -> bool:
    """Whether WeasyPrint, a bench-only engine (requirements-dev.txt, not the service's), is installed."""
    return importlib.util.find_spec("weasyprint") is not None


#: WeasyPrint prints on A4 with 75 px margins unless the document says otherwise; Chromium here prints
#: on A4 with 1 cm margins (PRINT). As a user stylesheet this loses to the document's own @page.
WEASYPRINT_PAGE = "@page { size: A4; margin: 1cm }"


def render_weasyprint(path: str, base: str) -> Rendered:
    """Render with WeasyPrint (print media), reading files inside `base` only and nothing from the network."""
    import weasyprint
    from weasyprint.urls import URLFetcher

    root = Path(base).resolve()

    class Inside(URLFetcher):
        """Files inside the upload's folder (and data: URLs); nothing else, the network least of all."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file://"):
                local = Path(unquote(url.removeprefix("file://").split("?")[0].split("#")[0])).resolve()
                if not local.is_relative_to(root):
                    raise ValueError(f"outside the upload: {url}")
            elif not url.startswith("data:"):
                raise ValueError(f"not read: {url}")
            return super().fetch(url, headers)

    started, cpu = time.perf_counter(), time.process_time()
    try:
        document = weasyprint.HTML(filename=path, url_fetcher=Inside(allowed_protocols={"file", "data"}))
        pdf: bytes | None = document.write_pdf(stylesheets=[weasyprint.CSS(string=WEASYPRINT_PAGE)]) or None
        error = "" if pdf else "no PDF"
    except Exception as exc:
        pdf, error = None, type(exc).__name__
    return Rendered(pdf, time.perf_counter() - started, time.process_time() - cpu, error)


def _prepare_cost(pages: int, rounds: int) -> dict[str, list[float]]:
    """CPU seconds of the service's renderer on the benchmarks' `pages`-page report, per `written_for` mode."""
    from bench.documents import pages_html
    from tasks.render.renderer import render_pdf

    html = pages_html(pages)
    modes = ["xhtml2pdf", PREPARE, "browser"]
    cpu: dict[str, list[float]] = {mode: [] for mode in modes}
    for turn in range(rounds):
        for mode in modes[turn % 3 :] + modes[: turn % 3]:  # each mode goes first in turn
            # Each render from a collected heap: else one pays for the garbage the render before it left
            # (after the corpus, the medians of one mode moved by half from run to run).
            gc.collect()
            started = time.process_time()
            render_pdf(html, written_for=mode)
            cpu[mode].append(time.process_time() - started)
    return cpu


class Engine:
    """A renderer in a spawned process of its own: fonts registered by one engine never reach the other."""

    def __init__(self, name: str, service: bool = False, render: Callable[..., Rendered] | None = None) -> None:
        self.name = name
        self._render: Callable[..., Rendered] = render or (_render_service if service else _render_stock)
        self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_quiet)

    def render(self, document: Document, timeout: float = 600) -> Rendered:
        """Render `document`; a render over `timeout` seconds counts as not rendered."""
        args = [str(document.path), str(document.base)]
        if self._render is _render_service:
            args.append(document.written_for)
        future = self._pool.submit(self._render, *args)
        try:
            rendered: Rendered = future.result(timeout)
            return rendered
        except TimeoutError:
            self.close()
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_quiet)
            return Rendered(None, timeout, error=f"over {timeout:.0f} s")

    def prepare_cost(self, pages: int, rounds: int, timeout: float = 600) -> dict[str, list[float]]:
        """CPU seconds per render of the `pages`-page report with each `written_for` mode (service only)."""
        return self._pool.submit(_prepare_cost, pages, rounds).result(timeout)

    def close(self) -> None:
        for process in list((self._pool._processes or {}).values()):
            process.kill()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class Chromium:
    """One headless Chromium that prints each document to PDF, as a reader's browser would."""

    def __init__(self, timeout: float = 120) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        self._timeout_ms = timeout * 1000

    def render(self, document: Document) -> Rendered:
        started = time.perf_counter()
        page = self._browser.new_page()
        page.set_default_timeout(self._timeout_ms)
        try:
            page.goto(document.path.as_uri(), wait_until="load", timeout=self._timeout_ms)
            pdf: bytes | None = page.pdf(prefer_css_page_size=True, **PRINT)  # type: ignore[arg-type]
            error = ""
        except Exception as exc:
            pdf, error = None, type(exc).__name__
        finally:
            page.close()
        return Rendered(pdf, time.perf_counter() - started, error=error)

    def version(self) -> str:
        return str(self._browser.version)

    def close(self) -> None:
        self._browser.close()
        self._playwright.stop()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
