"""Read an HTML submission from a request: form upload, JSON or a raw body."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath, PureWindowsPath

from flask import Request, current_app
from werkzeug.datastructures import FileStorage

from tasks.document.assets import AssetError, Bundle, check_archive, pack
from tasks.document.finishing import KEYS as FINISHING_KEYS
from tasks.document.finishing import Finishing
from tasks.document.page_setup import OptionError, PageOptions
from tasks.nesting.scan import nesting_depth
from webapp.decoding import decode_html
from webapp.errors import ApiError
from webapp.page_css import check_page_sizes
from webapp.splitting import FIELD as SPLIT_FIELD
from webapp.splitting import check_mode
from webapp.webhooks import FIELD as CALLBACK_FIELD
from webapp.webhooks import check_callback

MAX_PARTS = 100
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
ZIP_TYPES = frozenset({"application/zip", "application/x-zip-compressed"})
HTML_SUFFIXES = frozenset({"", ".html", ".htm", ".xhtml"})
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


@dataclass(frozen=True)
class Submission:
    """Everything a submission sent, read from the request once: the HTML, how to render it, where to report."""

    html: str
    filename: str
    options: PageOptions = field(default_factory=PageOptions)
    # False asks for a fresh render even when the same HTML and options were just rendered.
    reuse: bool = True
    # Images, CSS and fonts the HTML refers to by relative URL.
    assets: Bundle | None = None
    # Several documents (name, HTML) to render in parallel and join into one PDF.
    parts: tuple[tuple[str, str], ...] = ()
    # "auto", "always" or "never": whether the document may render in parts (webapp/splitting.py).
    split: str = "auto"
    # Where to POST the job's JSON when it ends, checked (webapp/webhooks.py); None for no webhook.
    callback_url: str | None = None
    # The Idempotency-Key header as sent (checked by webapp/reuse.py): a retried POST gets the first one's job.
    idempotency_key: str | None = None
    # What is done to the PDF after the render: options.stamp, options.protect (passwords), options.sign.
    finishing: Finishing = field(default_factory=Finishing)


def read_submission(request: Request, max_html_bytes: int, max_depth: int) -> Submission:
    """The submission in `request`, or an `ApiError` saying what is wrong with it (the first thing, in field order).

    The body is read once: a form, a JSON object, or raw HTML with its fields in the query string.
    """
    fields, body = _named_fields(request)
    callback_url = check_callback(fields.get(CALLBACK_FIELD))
    split = check_mode(fields.get(SPLIT_FIELD))
    submission = replace(
        _document(request, body),
        split=split,
        callback_url=callback_url,
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    _check_documents(submission, max_html_bytes, max_depth)
    return submission


def _named_fields(request: Request) -> tuple[Mapping[str, object], object]:
    """Where the request's named fields are (the form, the JSON object, or the query string), and its JSON body."""
    if request.mimetype == "multipart/form-data":
        return request.form, None
    if request.mimetype == "application/json":
        body = request.get_json(silent=True, cache=False)
        return (body if isinstance(body, dict) else {}), body
    return request.args, None


def _document(request: Request, body: object) -> Submission:
    """The HTML, its name and its page options, from whichever kind of body the request has."""
    mimetype = request.mimetype
    if mimetype == "multipart/form-data":
        return _from_form(request)
    if mimetype == "application/json":
        return _from_json(body)
    if mimetype in HTML_TYPES:
        html = decode_html(request.get_data(cache=False), request.mimetype_params.get("charset"))
        # Page options only: a password in a query string would end up in access logs.
        options = {name: value for name, value in request.args.items() if name in PageOptions.__dataclass_fields__}
        return Submission(
            html,
            pdf_filename(request.args.get("filename")),
            _options(options)[0],
            _flag(request.args.get("reuse"), "reuse"),
        )
    raise ApiError(
        415,
        "unsupported_media_type",
        'Send HTML as multipart/form-data (field \'file\'), as JSON {"html": "..."} or as a text/html body.',
    )


def _check_documents(submission: Submission, max_html_bytes: int, max_depth: int) -> None:
    """Refuse HTML that is empty, too large or asks for absurd page sizes, and header or footer HTML nested too deeply.

    Every check on the documents is linear at C speed: how deeply a document nests is found
    by the worker before it parses it (tasks/render/renderer.py), as the scan that finds it
    looks at each tag from Python. The header and footer are short (`MAX_TEXT`), so cheap to scan here.
    """
    documents = [html for _, html in submission.parts] or [submission.html]
    if not all(html.strip() for html in documents):
        raise ApiError(400, "empty_html", "The HTML is empty: there is nothing to convert.")
    if sum(len(html.encode("utf-8")) for html in documents) > max_html_bytes:
        raise ApiError(
            413,
            "html_too_large",
            f"The HTML is larger than the {max_html_bytes // 1024} KiB this service converts.",
        )
    for document in documents:
        check_page_sizes(document)
    options = submission.options
    for name, fragment in (("header_html", options.header_html), ("footer_html", options.footer_html)):
        if fragment and nesting_depth(fragment, stop_above=max_depth) > max_depth:
            raise ApiError(
                400,
                "too_deeply_nested",
                f"The option {name} nests elements more than {max_depth} levels deep. "
                "Close its tags or flatten its structure.",
            )


def _from_form(request: Request) -> Submission:
    submission = _html_from_form(request)
    raw_options = request.form.get("options")
    try:
        options = current_app.json.loads(raw_options) if raw_options else None
    except ValueError:
        raise ApiError(400, "bad_options", "The form field 'options' must hold a JSON object.") from None
    page, finishing = _options(options)
    return replace(submission, options=page, finishing=finishing, reuse=_flag(request.form.get("reuse"), "reuse"))


def _html_from_form(request: Request) -> Submission:
    uploads = request.files.getlist("file")
    name = request.form.get("filename")
    if len(uploads) > 1:
        return _documents_from_form(uploads, name)
    upload = uploads[0] if uploads else None
    max_unpacked = current_app.config["MAX_UNPACKED_BYTES"]
    if upload is not None and upload.filename:
        suffix = PurePosixPath(upload.filename).suffix.lower()
        if suffix == ".zip" or upload.mimetype in ZIP_TYPES:
            bundle = _checked(lambda: check_archive(upload.read(), max_unpacked))
            with zipfile.ZipFile(io.BytesIO(bundle.archive)) as archive:
                html = decode_html(archive.read(bundle.document))
            return Submission(html, pdf_filename(name or upload.filename), assets=bundle)
        if suffix not in HTML_SUFFIXES and upload.mimetype not in HTML_TYPES:
            raise ApiError(
                415,
                "not_html",
                f"{upload.filename!r} is not an HTML file. Upload a .html file, or a .zip holding index.html.",
            )
        html = decode_html(upload.read(), upload.mimetype_params.get("charset"))
        document = PurePosixPath(upload.filename).name
        return Submission(html, pdf_filename(name or upload.filename), assets=_assets(request, document))
    text = request.form.get("html")
    if text is None:
        raise ApiError(400, "missing_file", "Attach the HTML as the form field 'file'.")
    return Submission(text, pdf_filename(name), assets=_assets(request, "index.html"))


def _documents_from_form(uploads: list[FileStorage], name: str | None) -> Submission:
    """Several .html files: one PDF, in the order they were sent."""
    if len(uploads) > MAX_PARTS:
        raise ApiError(400, "bad_documents", f"Send at most {MAX_PARTS} files at once.")
    parts = []
    for upload in uploads:
        filename = upload.filename or "document.html"
        if PurePosixPath(filename).suffix.lower() not in HTML_SUFFIXES and upload.mimetype not in HTML_TYPES:
            raise ApiError(415, "not_html", f"{filename!r} is not an HTML file; send .html files to join.")
        parts.append((PurePosixPath(filename).stem, decode_html(upload.read(), upload.mimetype_params.get("charset"))))
    html = "".join(text for _, text in parts)
    return Submission(html, pdf_filename(name or uploads[0].filename), parts=tuple(parts))


def _assets(request: Request, document: str) -> Bundle | None:
    """The files sent as `assets` beside the HTML, under the names they were sent with."""
    files = {upload.filename: upload.read() for upload in request.files.getlist("assets") if upload.filename}
    if not files:
        return None
    max_unpacked = current_app.config["MAX_UNPACKED_BYTES"]
    return _checked(lambda: check_archive(pack(files), max_unpacked, document))


def _checked(check: Callable[[], Bundle]) -> Bundle:
    try:
        return check()
    except AssetError as exc:
        raise ApiError(exc.status, exc.code, str(exc)) from None


def _from_json(body: object) -> Submission:
    if not isinstance(body, dict):
        raise ApiError(400, "bad_json", 'The body is not a JSON object. Send {"html": "...", "filename": "x.pdf"}.')
    html, name = body.get("html"), body.get("filename")
    parts = read_documents(body.get("documents"))
    if parts and html is not None:
        raise ApiError(400, "html_and_documents", "Send either 'html' (one document) or 'documents' (several).")
    if parts:
        html = "".join(text for _, text in parts)
    if not isinstance(html, str):
        raise ApiError(400, "missing_html", "The JSON needs an 'html' field holding the document as a string.")
    if name is not None and not isinstance(name, str):
        raise ApiError(400, "bad_filename", "'filename' must be a string such as \"report.pdf\".")
    reuse = body.get("reuse", True)
    if not isinstance(reuse, bool):
        raise ApiError(400, "bad_reuse", "'reuse' must be true or false.")
    page, finishing = _options(body.get("options"))
    return Submission(html, pdf_filename(name), page, reuse, parts=parts, finishing=finishing)


def read_documents(raw: object) -> tuple[tuple[str, str], ...]:
    """`documents`: a list of HTML strings or of {"html", "name"} objects, at most MAX_PARTS."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not 2 <= len(raw) <= MAX_PARTS:
        raise ApiError(400, "bad_documents", f"'documents' must be a list of 2 to {MAX_PARTS} HTML documents.")
    parts = []
    for number, item in enumerate(raw, start=1):
        document = {"html": item} if isinstance(item, str) else item
        text = document.get("html") if isinstance(document, dict) else None
        title = document.get("name", f"Part {number}") if isinstance(document, dict) else None
        if not isinstance(text, str) or not isinstance(title, str):
            raise ApiError(
                400, "bad_documents", f'documents[{number - 1}] must be HTML text or {{"html": ..., "name": ...}}.'
            )
        parts.append((title, text))
    return tuple(parts)


def _options(raw: object) -> tuple[PageOptions, Finishing]:
    """The page options and the finishing steps in `options`; a 400 naming the first bad field."""
    try:
        if not isinstance(raw, Mapping):
            return PageOptions.parse(raw), Finishing()
        page = {name: value for name, value in raw.items() if name not in FINISHING_KEYS}
        finishing = Finishing.parse(raw)
        if finishing.sign is not None and not signing_configured(current_app.config):
            raise OptionError("sign", "this service has no signing identity configured, so it cannot sign")
        return PageOptions.parse(page), finishing
    except OptionError as exc:
        raise ApiError(400, "bad_option", str(exc), field=exc.field) from None


def signing_configured(config: Mapping[str, object]) -> bool:
    """Whether the operator configured a signing identity (a PKCS#12 file, or a PEM key and chain)."""
    return bool(config.get("SIGNING_PKCS12") or (config.get("SIGNING_KEY") and config.get("SIGNING_CERT_CHAIN")))


def _flag(value: str | None, name: str) -> bool:
    if value is None or value.lower() in ("1", "true", "yes"):
        return True
    if value.lower() in ("0", "false", "no"):
        return False
    raise ApiError(400, f"bad_{name}", f"'{name}' must be true or false.")


def pdf_filename(name: str | None) -> str:
    """A safe download name ending in .pdf, keeping letters in any script."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = _UNSAFE_NAME.sub("_", unicodedata.normalize("NFC", base)).strip(" ._")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem[:150] or "document"
    return f"{stem}.pdf"
