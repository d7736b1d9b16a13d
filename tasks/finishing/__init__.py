"""Finishing a rendered PDF: stamps, then encryption, then the signature (signing last, so nothing changes it)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign.general import SigningError
from pypdf.errors import PyPdfError

from tasks.document.failures import INPUT_FAULTS, RenderFailed
from tasks.document.finishing import Finishing
from tasks.finishing.protect import protect_pdf
from tasks.finishing.sign import Identity, load_identity, sign_pdf
from tasks.finishing.stamp import stamp_pdf

__all__ = ["Identity", "finish_pdf", "signing_identity"]
log = logging.getLogger(__name__)
# What the PDF libraries raise on a PDF or an image they cannot handle.
IDENTITY_FAULTS: tuple[type[Exception], ...] = (*INPUT_FAULTS, PdfError)
UNAVAILABLE = "signing_unavailable"
FINISHING_FAULTS: tuple[type[Exception], ...] = (*INPUT_FAULTS, PyPdfError, PdfError, SigningError)


def finish_pdf(
    pdf: bytes, finishing: Finishing, identity: Identity | None = None, on_step: Callable[[int], None] | None = None
) -> bytes:
    """`pdf` stamped, encrypted and signed as `finishing` asks; `identity` signs (required when it asks to);
    `on_step(n)` after each step, `n` of `finishing.steps()` done.

    A signature covers every byte before it, so it comes last: a signed and
    encrypted PDF is encrypted first and signed as an incremental update,
    written by pyHanko with the owner password (one the service makes up
    when the job gave none, and forgets with the job).
    """
    done = 0

    def step_done() -> None:
        nonlocal done
        done += 1
        if on_step is not None:
            on_step(done)

    try:
        if finishing.stamp is not None:
            pdf = stamp_pdf(pdf, finishing.stamp)
            step_done()
        owner = None
        if finishing.protect is not None:
            owner = finishing.protect.owner_password or secrets.token_urlsafe(32)
            pdf = protect_pdf(pdf, finishing.protect, owner)
            step_done()
        if finishing.sign is not None:
            if identity is None:
                raise RenderFailed("This service has no signing identity; the PDF was not signed.", UNAVAILABLE)
            pdf = sign_pdf(pdf, finishing.sign, identity, owner)
            step_done()
    except RenderFailed:
        raise
    except FINISHING_FAULTS as exc:
        raise RenderFailed(
            f"The PDF could not be finished ({type(exc).__name__}): check the stamp image and the signature field.",
            "finishing_failed",
        ) from exc
    return pdf


def signing_identity(config: Mapping[str, Any]) -> Identity:
    """The operator's signing identity from the settings; `RenderFailed` (logged with no secret) if it cannot load."""
    try:
        return load_identity(
            config["SIGNING_PKCS12"],
            config["SIGNING_PKCS12_PASSPHRASE"],
            config["SIGNING_KEY"],
            config["SIGNING_CERT_CHAIN"],
            config["SIGNING_KEY_PASSPHRASE"],
            config["TIMESTAMP_URL"],
        )
    except IDENTITY_FAULTS as exc:
        # The type only: a library's message could quote the file it failed to read.
        log.error("the signing identity could not be loaded (%s); check the SIGNING_* settings", type(exc).__name__)
        raise RenderFailed(
            "The service's signing identity could not be loaded; the PDF was not signed. Tell the operator.",
            UNAVAILABLE,
        ) from None
