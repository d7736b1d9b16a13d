"""SVG drawings without degenerate transforms: what a `scale(0)` flattens is not drawn, as in a browser.

ReportLab inverts each group's transform as it draws it, and one with determinant 0 (`scale(0)`,
`matrix(1 2 2 4 0 0)`, an SVG sized to nothing) raised ZeroDivisionError and failed the render.
SVG says such an element is not rendered; tasks/render/patches.py has xhtml2pdf's images hand
ReportLab their drawing through `drawing`, with those groups emptied.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.graphics.shapes import Drawing, Group
from xhtml2pdf.xhtml2pdf_reportlab import PmlImage

from tasks.render.hooks import current_report

DEGENERATE = "SVG elements whose transform flattens them (scale(0), a matrix of determinant 0) are not drawn"
IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

_get_drawing: Callable[..., Drawing | None] = PmlImage.getDrawing


def drawing(image: PmlImage, width: float | None = None, height: float | None = None) -> Drawing | None:
    """xhtml2pdf's drawing of an SVG image (`PmlImage.getDrawing`), its degenerate groups emptied."""
    found = _get_drawing(image, width, height)
    if found is not None and empty_degenerate(found):
        report = current_report()
        if report is not None:
            report.degrade(DEGENERATE)
    return found


def empty_degenerate(root: Group) -> bool:
    """Empty every group under (and including) `root` whose transform has determinant 0; whether any was."""
    found = False
    groups = [root]
    while groups:
        group = groups.pop()
        if degenerate(group.transform):
            group.contents, group.transform = [], IDENTITY
            found = True
        else:
            groups.extend(child for child in group.contents if isinstance(child, Group))
    return found


def degenerate(transform: Any) -> bool:
    """Whether an affine transform (a, b, c, d, e, f) has determinant 0, as ReportLab computes it."""
    a, b, c, d = (float(value) for value in transform[:4])
    return a * d - c * b == 0
