"""Fill a render's fidelity report from xhtml2pdf's warnings and the resource policy's refusals.

Only names are taken (CSS properties, functions, URLs the document wrote),
each checked against a strict pattern: xhtml2pdf's messages can quote file
contents, and none of their text reaches the user.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from xhtml2pdf.config.resources import ResourceAccessError, ResourceAccessPolicy

from tasks.document.bounds import clip
from tasks.document.failures import INPUT_FAULTS
from tasks.document.fidelity import FidelityReport
from tasks.document.image_budget import ServerPolicy

_IDENT = r"-?[A-Za-z][-A-Za-z0-9]*"
_PROPERTIES = re.compile(r"Ignoring CSS properties xhtml2pdf does not implement: (.+)$")
_FUNCTIONS = re.compile(r"Ignoring CSS declarations whose value xhtml2pdf cannot evaluate: (.+)$")
_DECLARATION = re.compile(r"Ignoring CSS declaration that could not be parsed: ['\"]\s*(.)(.*)$", re.S)
_VALUE = re.compile(rf"^({_IDENT}): '([-A-Za-z0-9 ]{{1,40}})' is not supported")
_UNDEFINED = re.compile(rf"Ignoring ({_IDENT}): .*, as ")
_RULE = re.compile(r"Ignoring CSS (rule|at-rule) that could not be parsed")
# The src is the document's own words; only a plain relative path or URL of sane characters is repeated.
_IMAGE = re.compile(r"^Could not get image data from src attribute: ([-A-Za-z0-9_./%~:+@]{1,200})\n")


def _left_out(report: FidelityReport, src: str) -> None:
    """An <img> xhtml2pdf drew nothing for: unless the policy refused it (a blocked resource, said so), a
    file the document or its upload does not hold, or that is no image."""
    if src.startswith("data:") or {clip(shown(src, None)), clip(Path(src).name)} & report.refused:
        return
    report.degrade(f"image {src} left out: no such file here (not in the upload?), or not an image")


def read_warning(report: FidelityReport, message: str) -> None:
    """Note in `report` what the xhtml2pdf warning `message` says was ignored, if it says so."""
    if found := _PROPERTIES.search(message):
        for name in found.group(1).split(", "):
            if re.fullmatch(_IDENT, name):
                report.ignore(name)
    elif found := _FUNCTIONS.search(message):
        for declaration in found.group(1).split(", "):
            if part := re.fullmatch(rf"{_IDENT}: ({_IDENT})\(\)", declaration):
                report.ignore(f"{part.group(1)}()")
    elif found := _DECLARATION.search(message):
        first, rest = found.groups()
        if first == "&":
            report.ignore("nested rules (&)")
        elif name := re.match(rf"({_IDENT})\s*:", first + rest):
            report.ignore(name.group(1))
    elif found := _VALUE.search(message):
        report.ignore(f"{found.group(1)}: {found.group(2)}")
    elif found := _UNDEFINED.search(message):
        report.ignore(found.group(1))
    elif found := _RULE.search(message):
        report.ignore(f"CSS {found.group(1)}s that could not be parsed")
    elif found := _IMAGE.search(message):
        _left_out(report, found.group(1))


class _Listener(logging.Handler):
    def __init__(self, on_warning: Callable[[str], None]) -> None:
        super().__init__(logging.WARNING)
        self.on_warning = on_warning

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.on_warning(record.getMessage())
        except INPUT_FAULTS:  # a report is never worth a failed render (but a time limit stops it)
            self.handleError(record)


@contextmanager
def xhtml2pdf_warnings(on_warning: Callable[[str], None]) -> Iterator[None]:
    """While inside, each warning xhtml2pdf logs is passed to `on_warning` (`read_warning` fills a report)."""
    logger = logging.getLogger("xhtml2pdf")
    handler = _Listener(on_warning)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


@dataclass(frozen=True)
class _ReportingPolicy(ServerPolicy):
    """The render's policy, deciding the same, noting each refusal in the report.

    A ServerPolicy, the richest kind a render is given: a plain ResourceAccessPolicy's fields are a
    subset of its own, and the pixel budget it adds stays off (None) unless the policy had one."""

    report: FidelityReport | None = field(default=None, compare=False)

    def check_url(self, url: str) -> None:
        with self._noted(url):
            super().check_url(url)

    def check_path(self, path: str | Path) -> None:
        with self._noted(path):
            super().check_path(path)

    def check_size(self, size: int, url: str | Path) -> None:
        with self._noted(url):
            super().check_size(size, url)

    def check_image_pixels(self, width: float, height: float, where: object) -> None:
        with self._noted(where):
            super().check_image_pixels(width, height, where)

    @contextmanager
    def _noted(self, where: object) -> Iterator[None]:
        try:
            yield
        except ResourceAccessError:
            if self.report is not None:
                self.report.block(shown(where, self.base_dir))
            raise


def reporting(policy: ResourceAccessPolicy, report: FidelityReport) -> ResourceAccessPolicy:
    """`policy`, with its refusals noted in `report`."""
    values: dict[str, Any] = {item.name: getattr(policy, item.name) for item in fields(policy)}
    return _ReportingPolicy(**{**values, "report": report})


def shown(where: object, base_dir: Path | None) -> str:
    """A refused resource as the document named it: a URL, a path relative to the document, a file name."""
    text = str(where)
    if text.startswith("data:"):
        return text.split(",", 1)[0].split(";", 1)[0] + ",…"
    if re.match(r"^[A-Za-z][-A-Za-z0-9+.]*://", text):
        return text
    path = Path(text)
    # A relative URL resolves beside the document, or in the worker's directory when it has none:
    # the directory is the server's, not the document's, and is not shown.
    for root in (base_dir, Path.cwd()):
        if root is not None and path.is_absolute() and path.is_relative_to(root):
            return os.path.relpath(path, root)
    return path.name if path.is_absolute() else text
