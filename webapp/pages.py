"""The pages people use: submit HTML, then watch one job to its PDF."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    return render_template("index.html", max_html_bytes=current_app.config["MAX_HTML_BYTES"])


@bp.get("/jobs/<job_id>")
def job(job_id: str) -> str:
    return render_template("job.html", job_id=job_id)
