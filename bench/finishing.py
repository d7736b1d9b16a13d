"""What each finishing step (issue 22) costs beside the render: stamp, encryption, signature on the 20-page report."""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pypdf
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from bench.report import Result, at_most, info
from harness.documents import report_html
from harness.pki import PASSPHRASE, make_pki, timestamp_server
from tasks.document.finishing import Finishing
from tasks.document.policy import server_policy
from tasks.finishing import finish_pdf, signing_identity
from tasks.render import patches
from tasks.render.progress import FINISHING_COST
from tasks.render.renderer import render_pdf

TITLE = "Finishing: each step's cost on the 20-page report, as a ratio to its render (issue 22)"
PASSWORD = "bench-password"
STAMP_WORD = "BENCHSTAMP"
# At most this share of the render (issue 22).
TARGETS = {"stamp": 0.05, "protect": 0.10, "sign": 0.10}
STEPS: dict[str, dict[str, object]] = {
    "stamp": {"stamp": {"text": STAMP_WORD, "rotation": 30}},
    "protect": {"protect": {"user_password": PASSWORD, "permissions": ["print"]}},
    "sign": {"sign": {"reason": "bench"}},
}
LABELS = {
    "stamp": "text stamp, every page",
    "protect": "AES-256 encryption (pypdf, R6)",
    "sign": "PAdES B-B signature (identity loaded per job, as the worker does)",
}


def run(workdir: Path, quick: bool) -> Result:
    """Rounds of: render the report, then each step on its PDF, in an order that turns each round."""
    workdir.mkdir(parents=True, exist_ok=True)
    patches.install()
    pki = make_pki(workdir)
    config = {
        "SIGNING_PKCS12": str(pki.pkcs12),
        "SIGNING_PKCS12_PASSPHRASE": PASSPHRASE,
        "SIGNING_KEY": "",
        "SIGNING_CERT_CHAIN": "",
        "SIGNING_KEY_PASSPHRASE": "",
        "TIMESTAMP_URL": "",
    }
    html = report_html(4 if quick else 40)
    rounds = 2 if quick else 9
    result = Result("finishing", TITLE, quick=quick)
    with timestamp_server(pki) as tsa:
        steps: dict[str, Callable[[bytes], bytes]] = {
            name: _step(Finishing.parse(options), config) for name, options in STEPS.items()
        }
        steps["sign B-T"] = _step(Finishing.parse(STEPS["sign"]), {**config, "TIMESTAMP_URL": tsa})
        steps["all three"] = _step(
            Finishing.parse({key: v for options in STEPS.values() for key, v in options.items()}), config
        )
        rendered = render_pdf(html, policy=server_policy())  # warm: imports, fonts, first use of each library
        outputs = {name: step(rendered.pdf) for name, step in steps.items()}
        renders: list[float] = []
        times: dict[str, list[float]] = {name: [] for name in steps}
        for number in range(rounds):
            started = time.perf_counter()
            rendered = render_pdf(html, policy=server_policy())
            renders.append(time.perf_counter() - started)
            names = list(steps)
            names = names[number % len(names) :] + names[: number % len(names)]
            for name in names:
                started = time.perf_counter()
                outputs[name] = steps[name](rendered.pdf)
                times[name].append(time.perf_counter() - started)
    render = statistics.median(renders)
    result.figures.append(info(f"render of the report ({rendered.pages} pages), median of {rounds}", render, "s"))
    for name in STEPS:
        ratio = statistics.median(times[name]) / render
        result.figures.append(at_most(f"{LABELS[name]} / render", ratio, "x", TARGETS[name]))
    for name in ("sign B-T", "all three"):
        label = "PAdES B-T signature (timestamp authority on loopback)" if name == "sign B-T" else "all three"
        result.figures.append(info(f"{label} / render", statistics.median(times[name]) / render, "x"))
    result.checks.update(_checks(outputs, pki.ca_asn1()))
    rows = [
        f"| {name} | {statistics.median(times[name]) * 1000:.0f} | {min(times[name]) * 1000:.0f} | "
        f"{statistics.median(times[name]) / render:.3f} | {_share(name)} |"
        for name in steps
    ]
    result.details += [
        f"In one process, {rounds} rounds, each rendering the report (`harness/documents.py` `report_html()`, "
        f"{rendered.pages} pages, {len(rendered.pdf) // 1024} KB) and then finishing its PDF with each step alone "
        "and with all three, the steps in an order that turns by one each round. The render's median is "
        f"{render * 1000:.0f} ms. Each step runs as a worker runs it (`tasks.finishing.finish_pdf`; the "
        "signing identity loaded from its PKCS#12 file per job, as `tasks/finish.py` does):",
        "",
        "| step | median ms | best ms | / render | its share of the bar (`FINISHING_COST`) |",
        "|---|---|---|---|---|",
        *rows,
        "",
        "The bar gives each step asked a share in proportion to `FINISHING_COST` (tasks/render/progress.py), "
        "set near these ratios (the medians move with the machine's load; the best times are lower). A stamp's "
        "cost grows with the pages; encryption's with the bytes; a signature's is nearly fixed (a hash of the "
        "file, one signature, the identity's loading), so on a one-page document it is a larger share of a much "
        "shorter render. B-T adds the timestamp authority's round trip: here pyHanko's test stamper behind "
        "Python's HTTP server on loopback (an RSA signature per request); a real authority's network time "
        "replaces it.",
    ]
    return result


def _share(name: str) -> str:
    return f"{FINISHING_COST[name]:.2f}" if name in FINISHING_COST else "–"


def _step(finishing: Finishing, config: dict[str, str]) -> Callable[[bytes], bytes]:
    def finish(pdf: bytes) -> bytes:
        identity = signing_identity(config) if finishing.sign is not None else None
        return finish_pdf(pdf, finishing, identity)

    return finish


def _checks(outputs: dict[str, bytes], ca: object) -> dict[str, bool]:
    """Each step did what it is for: the stamp's text is there, the PDF opens only with its password, the signature
    is intact and trusted."""
    stamped = pypdf.PdfReader(io.BytesIO(outputs["stamp"]))
    protected = pypdf.PdfReader(io.BytesIO(outputs["protect"]))
    context = ValidationContext(trust_roots=[ca], allow_fetching=False)
    signed = {}
    for name in ("sign", "sign B-T", "all three"):
        reader = PdfFileReader(io.BytesIO(outputs[name]))
        if name == "all three":
            reader.decrypt(PASSWORD)
        status = validate_pdf_signature(reader.embedded_signatures[0], context)
        signed[name] = status.intact and status.valid and status.trusted
    return {
        "the stamp's text is on every page": all(STAMP_WORD in page.extract_text() for page in stamped.pages),
        "the encrypted PDF opens only with its password": bool(
            protected.is_encrypted and not protected.decrypt("wrong") and protected.decrypt(PASSWORD)
        ),
        "the B-B signature is intact and trusted": signed["sign"],
        "the B-T signature is intact and trusted": signed["sign B-T"],
        "all three: signed over the encrypted, stamped PDF, intact and trusted": signed["all three"],
    }
