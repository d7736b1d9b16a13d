"""The pages people use: submit HTML, then watch one job to its PDF."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template

from webapp.errors import ApiError
from webapp.intake import signing_configured
from webapp.jobs import find_job

bp = Blueprint("pages", __name__)


@bp.context_processor
def page_settings() -> dict[str, Any]:
    return {"result_hours": f"{current_app.config['RESULT_TTL'] / 3600:g}"}


@bp.get("/")
def index() -> str:
    config = current_app.config
    max_bytes = config["MAX_HTML_BYTES"]
    return render_template(
        "index.html",
        max_html_bytes=max_bytes,
        max_html_size=human_size(max_bytes),
        max_upload_bytes=config["MAX_UPLOAD_BYTES"],
        # Whether to offer signing: a yes or no, never anything of the identity itself.
        signing=signing_configured(config),
    )


@bp.get("/jobs/<job_id>")
def job(job_id: str) -> tuple[str, int]:
    """The job's page; an unknown or expired id gets the reason, with a 404."""
    try:
        snapshot = find_job(job_id)
    except ApiError as exc:
        return render_template("job.html", job=None, missing=exc.message), exc.status
    return render_template("job.html", job=snapshot.job), 200


def human_size(size: int) -> str:
    """`size` bytes as people read it: 512 bytes, 64 KB, 10 MB (powers of 1024, as the page shows)."""
    if size < 1024:
        return f"{size} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            break
    return f"{value:.1f} {unit}" if value < 10 and value != int(value) else f"{value:.0f} {unit}"
