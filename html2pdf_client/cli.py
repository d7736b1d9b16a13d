"""Command-line client: convert a file with a live progress bar, look up or cancel a job (standard library only)."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import time
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any, TextIO

from html2pdf_client.api import Api, ClientError, Reply, job_path
from html2pdf_client.finishing import add_arguments, finishing_options

DEFAULT_SERVER = "http://127.0.0.1:8000"
EXIT_JOB_FAILED = 1
EXIT_BAD_ARGUMENTS = 2  # as argparse exits for a bad command line
EXIT_HTTP_ERROR = 3
TERMINAL = ("SUCCESS", "FAILURE", "REVOKED")


class ProgressView:
    """One redrawn line on a terminal (\\r), one line per change otherwise."""

    def __init__(self, out: TextIO, width: int = 30) -> None:
        self.out = out
        self.tty = out.isatty()
        self.width = width
        self.shown = ""
        self.length = 0

    def show(self, job: dict[str, Any]) -> None:
        progress = job["progress"]
        percent = float(progress["percent"])
        pages = int(progress["pages"])
        text = f"{percent:5.1f}%  {progress['stage']:<9} {pages} page{'' if pages == 1 else 's'}"
        if text == self.shown:
            return
        self.shown = text
        if self.tty:
            filled = round(self.width * percent / 100)
            line = f"[{'#' * filled}{'-' * (self.width - filled)}] {text}"
            self.out.write("\r" + line.ljust(self.length))
            self.length = len(line)
        else:
            self.out.write(text + "\n")
        self.out.flush()

    def close(self) -> None:
        if self.tty and self.length:
            self.out.write("\n")
            self.out.flush()
            self.length = 0


def multipart(path: Path, html: bytes, options: dict[str, Any] | None = None) -> tuple[bytes, str]:
    """A multipart/form-data body with the file as the field 'file', and `options` as the JSON field 'options'."""
    boundary = uuid.uuid4().hex
    name = path.name.replace('"', "%22").replace("\r", "").replace("\n", "")
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/html\r\n\r\n"
    ).encode()
    body = head + html + b"\r\n"
    if options:
        field = f'--{boundary}\r\nContent-Disposition: form-data; name="options"\r\n'
        field += "Content-Type: application/json\r\n\r\n"
        body += field.encode() + json.dumps(options).encode() + b"\r\n"
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def follow(api: Api, job: dict[str, Any], view: ProgressView, deadline: float) -> dict[str, Any]:
    """The job once it has ended, showing its progress; reconnects if the stream drops."""
    last_id = 0
    view.show(job)
    while job["state"] not in TERMINAL:
        if time.monotonic() > deadline:
            raise ClientError(f"gave up waiting for job {job['id']} (still {job['state']}); see --timeout")
        try:
            with closing(api.events(job["id"], last_id, deadline)) as events:
                for kind, event_id, data in events:
                    job, last_id = data, max(last_id, event_id)
                    view.show(job)
                    if kind == "end":
                        return job
        except (OSError, http.client.HTTPException, ValueError):
            pass  # the stream broke off: resume from the last event seen
        time.sleep(0.5)
        job = api.job(job["id"])
        view.show(job)
    return job


def convert(
    api: Api, source: Path, output: Path | None, timeout: float, out: TextIO, options: dict[str, Any] | None = None
) -> int:
    """Submit `source` with `options`, show its progress, save the PDF; 0 on success, 1 if the job did not succeed."""
    try:
        html = source.read_bytes()
    except OSError as exc:
        raise ClientError(f"cannot read {source}: {exc.strerror}") from None
    body, content_type = multipart(source, html, options)
    job = api.submit(body, content_type)
    out.write(f"job {job['id']}\n")
    view = ProgressView(out)
    try:
        job = follow(api, job, view, time.monotonic() + timeout)
    finally:
        view.close()
    if job["state"] == "FAILURE":
        failure = job["error"] or {}
        print(f"error: the conversion failed: {failure.get('message')} ({failure.get('code')})", file=sys.stderr)
        return EXIT_JOB_FAILED
    if job["state"] == "REVOKED":
        print(f"error: job {job['id']} was cancelled", file=sys.stderr)
        return EXIT_JOB_FAILED
    pdf = api.pdf(job["id"])
    target = output or source.with_suffix(".pdf")
    target.write_bytes(pdf)
    pages = job["pdf"]["pages"]
    out.write(f"saved {target} ({pages} page{'' if pages == 1 else 's'}, {len(pdf)} bytes)\n")
    return 0


def show(reply: Reply, out: TextIO) -> int:
    if reply.status >= 400:
        raise ClientError(reply.error())
    out.write(json.dumps(reply.json(), indent=2, ensure_ascii=False) + "\n")
    return 0


def global_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """`parser` with the options every command takes. Their default is to set nothing, so that given before
    the command (`html2pdf --server URL convert f.html`, as git and docker take theirs) they are not
    overwritten by the command's parser, which takes them after it too (the one after wins)."""
    parser.add_argument(
        "--server",
        default=argparse.SUPPRESS,
        help=f"the service's address (default: $PDF_SERVER or {DEFAULT_SERVER})",
    )
    parser.add_argument(
        "--token", default=argparse.SUPPRESS, help="API token for services with API_TOKENS (default: $PDF_TOKEN)"
    )
    return parser


def parser() -> argparse.ArgumentParser:
    common = global_options(argparse.ArgumentParser(add_help=False))
    main = global_options(argparse.ArgumentParser(prog="html2pdf", description="Convert HTML to PDF with the service."))
    commands = main.add_subparsers(dest="command", required=True)
    run = commands.add_parser("convert", parents=[common], help="convert an HTML file, showing progress")
    run.add_argument("file", type=Path, help="the .html file")
    run.add_argument("-o", "--output", type=Path, help="where to save the PDF (default: FILE with .pdf)")
    run.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for the job (default: 900)")
    add_arguments(run)
    look = commands.add_parser("status", parents=[common], help="print a job's JSON")
    look.add_argument("job_id")
    stop = commands.add_parser("cancel", parents=[common], help="cancel a queued or running job")
    stop.add_argument("job_id")
    drop = commands.add_parser(
        "delete", parents=[common], help="cancel a running job, or delete an ended one and its PDF"
    )
    drop.add_argument("job_id")
    return main


def main(argv: list[str] | None = None) -> int:
    """Run the command in `argv`; the exit status: 0 done, 1 the job failed or was cancelled,
    2 bad arguments (a missing input file too), 3 an HTTP or connection error."""
    command_line = parser()
    args = command_line.parse_args(argv)
    if args.command == "convert" and not args.file.is_file():
        command_line.error(f"{args.file}: no such file")  # exits with EXIT_BAD_ARGUMENTS
    options = finishing_options(args, command_line) if args.command == "convert" else {}
    server = getattr(args, "server", None) or os.environ.get("PDF_SERVER") or DEFAULT_SERVER
    try:
        api = Api(server, getattr(args, "token", None) or os.environ.get("PDF_TOKEN"))
        if args.command == "convert":
            return convert(api, args.file, args.output, args.timeout, sys.stdout, options)
        path = job_path(args.job_id)
        if args.command == "status":
            return show(api.call("GET", path), sys.stdout)
        if args.command == "cancel":
            return show(api.call("POST", f"{path}/cancel"), sys.stdout)
        reply = api.call("DELETE", path)
        if reply.status == 204:
            print(f"deleted job {args.job_id}")
            return 0
        return show(reply, sys.stdout)
    except ClientError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_HTTP_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
