"""The fidelity corpus: browser-styled documents kept here, and the team's shared corpus by reference."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent / "corpus"
REPO = Path(__file__).resolve().parents[2]
ENV = "BENCH_SHARED_CORPUS"
#: Where issue 21's documents are read from instead of the shared corpus's `browser/` folder.
BROWSER_ENV = "BENCH_BROWSER_CORPUS"

TUNING, HELD_OUT = "tuning", "held-out"
HALVES = (TUNING, HELD_OUT)
#: What a document is, for balancing the halves and reading the table.
KINDS = ("email", "invoice", "cv", "letter", "report", "ticket", "menu")


@dataclass(frozen=True)
class Source:
    """A corpus document: its path, the public repository it comes from, its kind and its half."""

    path: str
    repository: str
    kind: str
    half: str


# Issue 21: the corpus is split by repository into a tuning half (the renderer is worked on from its
# pictures) and a held-out half (measured only to report it), committed before any renderer change.
# Repositories whose documents were in the corpus before issue 21 were already tuned on: all tuning.
# Repositories new in issue 21 were ordered, within each kind, by the SHA-256 of "owner/name" and
# alternately dealt out, held-out first. A document added later keeps the half of its repository, or
# its new repository is dealt the same way; halves never change once committed (SOURCES.md).
KEPT = (
    Source("weasyprint-report/report.html", "CourtBouillon/weasyprint-samples", "report", TUNING),
    Source("weasyprint-invoice/invoice.html", "CourtBouillon/weasyprint-samples", "invoice", TUNING),
    Source("weasyprint-letter/letter.html", "CourtBouillon/weasyprint-samples", "letter", TUNING),
    Source("weasyprint-ticket/ticket.html", "CourtBouillon/weasyprint-samples", "ticket", TUNING),
    Source("sparksuite-invoice/invoice.html", "sparksuite/simple-html-invoice-template", "invoice", TUNING),
    Source("anvil-invoice/index.html", "anvilco/html-pdf-invoice-template", "invoice", TUNING),
    Source("bootstrap-invoice/invoice.html", "enuribandara/viva", "invoice", TUNING),
    Source("bootdey-bill/printbill.html", "Dksahu123/Billing-Management-system-PROJECT_PHP-", "invoice", TUNING),
    Source("preline-invoice/invoice.html", "torgodly/shiplink", "invoice", TUNING),
    Source("eforms-invoice/form.html", "ZharifPuncak/e-forms", "report", TUNING),
    Source("pagedjs-counter-pages/counter-pages.html", "pagedjs/pagedjs", "report", TUNING),
)
# Issue 21's documents are other people's files, listed here and not committed to this repository: they
# are read from the team's shared corpus, `<shared>/corpus/browser/<path>` (laid out as `corpus/` is), or
# from $BENCH_BROWSER_CORPUS; those absent are skipped and the bench says so (SOURCES.md).
LISTED = (
    Source("mailgun-action/action.html", "mailgun/transactional-email-templates", "email", TUNING),
    Source("mailgun-billing/billing.html", "mailgun/transactional-email-templates", "email", TUNING),
    Source("leemunroe-email/email.html", "leemunroe/responsive-html-email-template", "email", HELD_OUT),
    Source("sendgrid-receipt/receipt.html", "sendgrid/email-templates", "email", HELD_OUT),
    Source("papercss-receipt/receipt.html", "cognitom/paper-css", "invoice", HELD_OUT),
    Source("quickspear-rtl-statement/statement.html", "ibrahimaah/quick_spear", "invoice", HELD_OUT),
    Source("arboshiki-invoice/invoice.html", "danfickle/openhtmltopdf", "invoice", TUNING),
    Source("openhtmltopdf-menu/cafe-menu.html", "danfickle/openhtmltopdf", "menu", TUNING),
    Source("mnjul-resume/resume.html", "mnjul/html-resume", "cv", TUNING),
    Source("icelam-cv/cv.html", "icelam/html-cv-poc", "cv", HELD_OUT),
    Source("finshiksha-certificate/certificate.html", "PriyaDadhaniya/DRUPAL-6", "ticket", HELD_OUT),
    Source("pesawat-boarding-pass/boarding-pass.html", "inizayzay/pesawat", "ticket", TUNING),
    Source("evento-ticket/ticket.html", "NabilChabab/Evento", "ticket", HELD_OUT),
    Source("pagedjs-report-example/report.html", "Cabeludo36/Pagedjs-Report-Example", "report", HELD_OUT),
    Source("krausefx-markdown/index.html", "KrauseFx/markdown-to-html-github-style", "report", TUNING),
    Source("lloyds-statement/statement.html", "samlarsen1/document-ai", "invoice", TUNING),
    Source("smartaspoo-receipt/receipt.html", "smartaspoo/smartaspoo-backend", "invoice", TUNING),
    Source("dci-purchase-order/purchase-order.html", "rhmndev/dci-ais-be", "invoice", TUNING),
    Source("paytym-payslip/payslip.html", "vkjglobal/paytym", "invoice", HELD_OUT),
    Source("mercurii-purchase-order/purchase-order.html", "saitechnosolutions/mercurii_crm", "invoice", HELD_OUT),
    Source("mercurii-eway-bill/invoice.html", "saitechnosolutions/mercurii_crm", "invoice", HELD_OUT),
    Source("cafe-receipt/receipt.html", "Hongly21/Cafe_System", "invoice", HELD_OUT),
    Source("gifms-lpo/lpo.html", "kennlebu/gifms-core", "invoice", TUNING),
    Source("hrms-payslip/payslip.html", "kartikabhidesai/hrms", "invoice", HELD_OUT),
    Source("rina-receipt/receipt.html", "aldinosaid/rina_accstore", "invoice", TUNING),
    Source("rtl-resume/index.html", "awesome-resume-templates/html-resume-templates", "cv", TUNING),
    Source("sidebar-resume/index.html", "awesome-resume-templates/html-resume-templates", "cv", TUNING),
    Source("print-resume/index.html", "awesome-resume-templates/html-resume-templates", "cv", TUNING),
    Source("tombarr-resume/index.html", "Tombarr/html-resume-template", "cv", HELD_OUT),
    Source("talhabal-cover-letter/cover-letter.html", "talhabal/cv-file-create", "letter", HELD_OUT),
    Source("mjml-receipt/receipt-email.html", "mjmlio/email-templates", "email", TUNING),
    Source("antwort-two-columns/build.html", "InterNations/antwort", "email", HELD_OUT),
    Source("postmark-receipt/receipt.html", "ActiveCampaign/postmark-templates", "email", TUNING),
    Source("cerberus-hybrid/cerberus-hybrid.html", "emailmonday/Cerberus", "email", HELD_OUT),
    Source("mailgun-alert/alert.html", "mailgun/transactional-email-templates", "email", TUNING),
    Source("konsav-email/general.html", "konsav/email-templates", "email", TUNING),
    Source("capstone-certificate/certificate.html", "JRendel-main/CapstoneV1", "ticket", TUNING),
    Source("azuya-certificate/certificate.html", "azuya/CertificateBuilder", "ticket", TUNING),
    Source("book-ticket/ticket.html", "MubeenAfzal979/book_ticket", "ticket", HELD_OUT),
    Source("skyline-boarding-pass/boarding-pass.html", "Nyzo0310/Group_project_Skyline_Airways-v2.3", "ticket", TUNING),
    Source("georgian-ticket/ticket.html", "Metrevelli/ticket-buy-app", "ticket", HELD_OUT),
    Source("gutenberg-modern/modern.html", "BafS/Gutenberg", "report", HELD_OUT),
    Source("sdc-packing-slip/packing-slip.html", "isaaccodekill/sdc-pdfTemplates", "invoice", HELD_OUT),
    Source("sdc-invoice/invoice.html", "isaaccodekill/sdc-pdfTemplates", "invoice", HELD_OUT),
    Source("owengretzinger-resume/index.html", "owengretzinger/html-resume-template", "cv", HELD_OUT),
    Source("mooneyhan-cover-letter/cover-letter.html", "ConnorMooneyhan/cover-letter", "letter", TUNING),
    Source("mailchimp-transactional/transactional_tabular.html", "mailchimp/email-blueprints", "email", HELD_OUT),
    Source("sendwithus-invoice/invoice.html", "sendwithus/templates", "email", HELD_OUT),
    Source("colorlib-verify/index.html", "ColorlibHQ/email-templates", "email", TUNING),
    Source("atrioncash-ticket/ticket.html", "skeletongp/atrioncash", "ticket", HELD_OUT),
)
BROWSER = KEPT + LISTED
# WeasyPerf's samples (in the shared corpus) were measured in issue 14: tuning.
WEASYPERF = tuple(
    Source(name, "Kozea/WeasyPerf", "report", TUNING)
    for name in ("columns/columns.html", "html5/html5.html", "json/json.html", "odyssey/odyssey.html")
)
# A handful of xhtml2pdf's own samples go through the whole comparison; all of them through the page counts.
XHTML2PDF = (
    "testrender/simple-test.html",
    "testrender/test-list.html",
    "testrender/test-tables.html",
    "testrender/test-loremipsum.html",
    "manual_test/test-invoice.html",
)
QUICK_BROWSER = ("sparksuite-invoice/invoice.html", "bootstrap-invoice/invoice.html")
QUICK_XHTML2PDF = ("testrender/simple-test.html",)
QUICK_PAGE_COUNTS = 5


@dataclass(frozen=True)
class Document:
    """One document: where it is, and the folder it may read files from (a zip upload's root)."""

    name: str
    group: str
    path: Path
    base: Path
    #: What the service is told the document was written for (its `written_for` option).
    written_for: str = "auto"
    #: Where it comes from (owner/name), what it is, and its half (empty for xhtml2pdf's samples).
    repository: str = ""
    kind: str = ""
    half: str = ""


def browser_corpus() -> Path | None:
    """The folder issue 21's documents are read from: $BENCH_BROWSER_CORPUS, or the shared corpus's `browser/`."""
    if os.environ.get(BROWSER_ENV):
        folder = Path(os.environ[BROWSER_ENV])
        return folder if folder.is_dir() else None
    shared = shared_corpus()
    return shared / "browser" if shared is not None and (shared / "browser").is_dir() else None


def _chosen(quick: bool, half: str | None) -> list[Source]:
    return [source for source in BROWSER if (not quick or source.path in QUICK_BROWSER) and half in (None, source.half)]


def _folder(source: Source) -> Path | None:
    """Where a document's folder of assets is (a zip upload's root), if the document is there."""
    root = HERE if source in KEPT else browser_corpus()
    return root if root is not None and (root / source.path).is_file() else None


def browser_documents(quick: bool = False, half: str | None = None) -> list[Document]:
    """The browser-styled documents (of one half, or all) that are here; those of one folder share its
    assets, as one zip upload would."""
    documents = []
    for source in _chosen(quick, half):
        root = _folder(source)
        if root is not None:
            documents.append(
                Document(
                    source.path.split("/")[0],
                    "browser",
                    root / source.path,
                    root,
                    repository=source.repository,
                    kind=source.kind,
                    half=source.half,
                )
            )
    return documents


def absent_documents(quick: bool = False, half: str | None = None) -> list[Source]:
    """The browser-styled documents (of one half, or all) that are not where `browser_corpus()` says."""
    return [source for source in _chosen(quick, half) if _folder(source) is None]


def shared_corpus() -> Path | None:
    """`<repo>/../shared/corpus` (or the main checkout's, from a git worktree, or $BENCH_SHARED_CORPUS)."""
    candidates = [Path(os.environ[ENV])] if os.environ.get(ENV) else []
    candidates.append(REPO.parent / "shared" / "corpus")
    common = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--path-format=absolute", "--git-common-dir"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if common:
        candidates.append(Path(common).parent.parent / "shared" / "corpus")
    return next((path for path in candidates if (path / "weasyperf").is_dir()), None)


def shared_documents(root: Path, quick: bool = False, half: str | None = None) -> list[Document]:
    """WeasyPerf's samples (not in quick runs: they are long) and, when no half is chosen, a handful of
    xhtml2pdf's (written for xhtml2pdf: in neither half)."""
    documents = []
    for source in () if quick else WEASYPERF:
        path = root / "weasyperf" / source.path
        if path.is_file() and half in (None, source.half):
            # Written for browsers and WeasyPrint (their README), as a user sending them would say:
            # two of the four carry no mark of the web that "auto" could tell them by.
            documents.append(
                Document(
                    f"weasyperf/{path.stem}",
                    "weasyperf",
                    path,
                    path.parent,
                    "browser",
                    repository=source.repository,
                    kind=source.kind,
                    half=source.half,
                )
            )
    if half is not None:
        return documents
    for name in QUICK_XHTML2PDF if quick else XHTML2PDF:
        path = root / "xhtml2pdf" / name
        if path.is_file():
            documents.append(Document(f"xhtml2pdf/{path.stem}", "xhtml2pdf", path, path.parent))
    return documents


def xhtml2pdf_documents(root: Path, quick: bool = False) -> list[Document]:
    """Every HTML document of xhtml2pdf's own samples, for the page-count check."""
    paths = sorted((root / "xhtml2pdf").rglob("*.html"))
    if quick:
        paths = paths[:QUICK_PAGE_COUNTS]
    return [
        Document(f"xhtml2pdf/{path.relative_to(root / 'xhtml2pdf').with_suffix('')}", "xhtml2pdf", path, path.parent)
        for path in paths
    ]
