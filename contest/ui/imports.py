"""The page of a big import that runs in the background (``services.core.import_jobs``), for
every area that has one: upload → job → this page again with ``?job=``, showing the job's
progress while it runs (the page polls the area's job route, which answers with
:func:`job_status`), then its result or its refusal report. A short file has finished before
the redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from contest.models import User
from contest.services.core import import_jobs
from contest.services.core.spreadsheets import RowError, SheetRefused, read_upload

# The refusal page lists this many errors; the count says how many there were in all.
ERRORS_SHOWN = 500

Importer = Callable[[User, bytes, str, import_jobs.Progress], Any]


def import_page(
    template: str, kind: str, form: FlaskForm, run: Importer, *, max_bytes: int, **context: Any
) -> Any:
    """Start ``run(actor, data, filename, progress)`` as a job on a valid upload of at most
    ``max_bytes``, else render ``template`` with the form, the job named by ``?job=`` (404 for
    a job that is not the user's), its result (a dict) and its errors; ``context`` is passed on.
    """
    errors: list[RowError] = []
    if form.validate_on_submit():
        try:
            data, filename = read_upload(form.file.data, max_bytes)  # type: ignore[attr-defined]
        except SheetRefused as refusal:
            errors = refusal.errors
        else:
            job = import_jobs.start(
                kind, current_user, lambda actor, progress: run(actor, data, filename, progress)
            )
            endpoint = request.endpoint or "main.index"
            return redirect(url_for(endpoint, job=job.id, **(request.view_args or {})))
    job = None
    if request.args.get("job"):
        job = import_jobs.read(request.args["job"], current_user) or abort(404)
        errors = [RowError(*error) for error in job.errors]
    return render_template(
        template,
        form=form,
        job=job,
        errors=errors[:ERRORS_SHOWN],
        error_count=job.error_count if job else len(errors),
        result=job.result if job and job.status == import_jobs.DONE else None,
        **context,
    )


def job_status(job_id: str) -> Any:
    """A running import's progress as JSON, for the page's poller (the starter or an admin)."""
    job = import_jobs.read(job_id, current_user) or abort(404)
    response = jsonify(
        status=job.status,
        stage=job.stage,
        done=job.done,
        total=job.total,
        percent=job.percent,
        finished=job.finished or job.stale,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
