"""Objections: the public form during a 公示, and the handlers' pages.

The form (no login) is a form of this site like any other: it carries the CSRF token of the
visitor's session; submissions are counted per address (``objections.submit``); every response
is ``no-store`` (a shared phone or a proxy keeps nothing of what was typed). A refusal shows the
form again with a Chinese reason on its field, never what was typed into a name or contact.

The handlers' pages (the campaign's organizers, ``objections.can_handle``; anyone else 403) list
the objections without identities. The identity and seal are shown only in the response to an
explicit POST ("查看反映人信息"), audited each time, never in a GET page a browser could cache or
history could replay; files are downloaded by POST too (audited). Deciding (不成立 / 成立 with a
reason) goes through ``objections.decide``, which removes the nominee and promotes the
alternate on 成立.
"""

from __future__ import annotations

import base64

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.file import FileField, MultipleFileField
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from contest.extensions import db
from contest.models.nomination import (
    OBJECTION_STATUS_LABELS,
    Campaign,
    Objection,
    ObjectionAttachment,
)
from contest.nominations.blueprint import bp
from contest.nominations.publicity_admin_views import put_error, tabs_context
from contest.nominations.publicity_views import PREFIX
from contest.services.core.uploads import Upload
from contest.services.nominations import objections as service
from contest.services.nominations import publicity
from contest.ui import confirm
from contest.ui.confirm import Consequence
from contest.ui.forms import ActionForm, CheckedForm
from contest.validation import db_int

# The HTTP status of a refused submission (the page is the form again with the reason).
STATUS = {"invalid": 400, "closed": 410, "locked": 429}


class ObjectionForm(CheckedForm):
    """The public form; what it says is checked by the service (its messages, its fields)."""

    nomination_id = SelectField(_l("反映对象"), validate_choice=False)
    by_unit = RadioField(
        _l("反映人"),
        choices=[
            SelectChoice("person", _l("个人（实名）")),
            SelectChoice("unit", _l("单位（加盖公章）")),
        ],
        default="person",
        validate_choice=False,
    )
    name = StringField(
        _l("真实姓名或单位名称"), render_kw={"maxlength": 100, "autocomplete": "off"}
    )
    contact = StringField(
        _l("联系方式"),
        description=_l("手机、电话或通信地址，仅供受理单位核实情况时联系您"),
        render_kw={"maxlength": 200, "autocomplete": "off"},
    )
    content = TextAreaField(
        _l("反映内容"),
        description=_l("请写明具体事实和线索，最多 2000 字"),
        render_kw={"maxlength": 2000},
    )
    seal = FileField(
        _l("单位公章图片"),
        description=_l("单位反映时必填：加盖公章的反映材料照片或扫描件（JPG、PNG）"),
        render_kw={"accept": "image/jpeg,image/png"},
    )
    files = MultipleFileField(
        _l("证明材料（可选）"),
        description=_l("PDF、JPG 或 PNG，最多 5 个，每个不超过 10 MB"),
        render_kw={"accept": "application/pdf,image/jpeg,image/png"},
    )


class DecisionForm(CheckedForm):
    upheld = RadioField(
        _l("处理结果"),
        choices=[SelectChoice("no", _l("异议不成立")), SelectChoice("yes", _l("异议成立"))],
        validate_choice=False,
    )
    reason = TextAreaField(
        _l("处理意见"),
        description=_l("写明调查核实的情况和结论；异议成立的，该人选将被取消并按顺序递补"),
        render_kw={"maxlength": 2000},
    )


def decide_consequence() -> Consequence:
    return Consequence(
        title=_("确认处理结果"),
        text=_(
            "处理结果提交后不能更改。异议成立的，该人选将被取消拟表彰资格，"
            "并按评审排序递补下一名符合名额和结构要求的人选，递补人选另行公示。"
        ),
        action=_("确认提交"),
    )


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _public_campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not publicity.notices_of(campaign):
        abort(404)
    return campaign


def _choices(campaign: Campaign) -> list[SelectChoice]:
    choices = [SelectChoice("", _("请选择"))]
    for nomination in service.objectable(campaign):
        shown = publicity.public_nominee(campaign, nomination)
        unit = f" · {shown.unit}" if shown.unit else ""
        choices.append(SelectChoice(str(nomination.id), f"{shown.name}{unit}（{shown.title}）"))
    return choices


def _upload(storage: object, limit: int) -> Upload | None:
    filename = getattr(storage, "filename", None)
    stream = getattr(storage, "stream", None)
    if not filename or stream is None:
        return None
    return Upload(str(filename), stream.read(limit + 1))


def _form_page(campaign: Campaign, form: ObjectionForm, status: int = 200) -> Response:
    response = Response(
        render_template(
            "nominations/objection_form.html",
            campaign=campaign,
            form=form,
            open_=len(form.nomination_id.choices or []) > 1,
        ),
        status=status,
    )
    return _no_store(response)


@bp.route(f"{PREFIX}/<int:campaign_id>/objection", methods=["GET", "POST"])
def objection_form(campaign_id: int) -> Response:
    campaign = _public_campaign(campaign_id)
    form = ObjectionForm()
    form.nomination_id.choices = _choices(campaign)
    if request.method == "GET":
        wanted = request.args.get("n", "")
        if wanted.isdigit():
            form.nomination_id.data = wanted
        return _form_page(campaign, form)
    if not form.validate_on_submit():
        return _form_page(campaign, form, 400)
    submission = service.Submission(
        nomination_id=db_int(form.nomination_id.data) if form.nomination_id.data else None,
        by_unit=form.by_unit.data == "unit",
        name=form.name.data or "",
        contact=form.contact.data or "",
        content=form.content.data or "",
        seal=_upload(form.seal.data, service.MAX_SEAL_BYTES),
        files=[
            upload
            for storage in (form.files.data or [])
            if (upload := _upload(storage, service.MAX_FILE_BYTES)) is not None
        ],
    )
    try:
        service.submit(campaign, submission, request.remote_addr)
    except service.ObjectionRefused as error:
        db.session.rollback()
        put_error(form, error)
        return _form_page(campaign, form, STATUS.get(error.reason, 400))
    db.session.commit()
    return redirect(url_for("nominations.objection_thanks", campaign_id=campaign.id))


@bp.route(f"{PREFIX}/<int:campaign_id>/objection/thanks")
def objection_thanks(campaign_id: int) -> Response:
    campaign = _public_campaign(campaign_id)
    return _no_store(
        Response(render_template("nominations/objection_thanks.html", campaign=campaign))
    )


# ------------------------------------------------------------------ handlers


def _handled(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    if not service.can_handle(current_user, campaign):
        abort(403)
    return campaign


def _objection(campaign: Campaign, objection_id: int) -> Objection:
    objection = db.session.get(Objection, objection_id)
    if objection is None or objection.campaign_id != campaign.id:
        abort(404)
    return objection


def _detail(
    campaign: Campaign,
    objection: Objection,
    *,
    identity: service.Identity | None = None,
    seal: bytes | None = None,
    revealed: bool = False,
    form: DecisionForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    seal_uri = None
    if seal:
        kind = "image/png" if seal.startswith(b"\x89PNG") else "image/jpeg"
        seal_uri = f"data:{kind};base64," + base64.b64encode(seal).decode("ascii")
    return (
        render_template(
            "nominations/objection_show.html",
            objection=objection,
            nominee=publicity.public_nominee(campaign, objection.nomination),
            files=service.attachments_of(objection),
            identity=identity,
            seal_uri=seal_uri,
            revealed=revealed,
            form=form or DecisionForm(),
            action_form=ActionForm(),
            labels=OBJECTION_STATUS_LABELS,
            is_open=objection.status in service.OPEN,
            consequence=decide_consequence(),
            **tabs_context(campaign, "objections"),
        ),
        status,
    )


@bp.route("/<int:campaign_id>/objections")
@login_required
def objections(campaign_id: int) -> str:
    campaign = _handled(campaign_id)
    rows = service.objections_of(campaign)
    return render_template(
        "nominations/objections.html",
        rows=[(o, publicity.public_nominee(campaign, o.nomination)) for o in rows],
        labels=OBJECTION_STATUS_LABELS,
        **tabs_context(campaign, "objections"),
    )


@bp.route("/<int:campaign_id>/objections/<int:objection_id>")
@login_required
def objection_show(campaign_id: int, objection_id: int) -> tuple[str, int]:
    campaign = _handled(campaign_id)
    return _detail(campaign, _objection(campaign, objection_id))


@bp.route("/<int:campaign_id>/objections/<int:objection_id>/identity", methods=["POST"])
@login_required
def objection_identity(campaign_id: int, objection_id: int) -> tuple[str, int] | Response:
    campaign = _handled(campaign_id)
    objection = _objection(campaign, objection_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    found = service.identity(current_user, objection)
    seal = service.seal(current_user, objection) if objection.by_unit else None
    db.session.commit()
    return _detail(campaign, objection, identity=found, seal=seal, revealed=True)


@bp.route("/<int:campaign_id>/objections/<int:objection_id>/files/<int:file_id>", methods=["POST"])
@login_required
def objection_file(campaign_id: int, objection_id: int, file_id: int) -> Response:
    campaign = _handled(campaign_id)
    objection = _objection(campaign, objection_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    file = db.session.get(ObjectionAttachment, file_id)
    if file is None or file.objection_id != objection.id:
        abort(404)
    found = service.attachment(current_user, objection, file)
    db.session.commit()
    if found is None:
        abort(404)
    filename, content_type, data = found
    response = Response(data, mimetype=content_type)
    quoted = "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in filename)
    response.headers["Content-Disposition"] = f"attachment; filename={quoted or 'file'}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return _no_store(response)


@bp.route("/<int:campaign_id>/objections/<int:objection_id>/investigate", methods=["POST"])
@login_required
def objection_investigate(campaign_id: int, objection_id: int) -> Response:
    campaign = _handled(campaign_id)
    objection = _objection(campaign, objection_id)
    back = url_for("nominations.objection_show", campaign_id=campaign.id, objection_id=objection.id)
    if not ActionForm().validate_on_submit():
        return redirect(back)
    try:
        service.investigate(current_user, objection)
    except service.ObjectionRefused as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(back)
    db.session.commit()
    flash(_("已标记为调查核实中。"), "success")
    return redirect(back)


@bp.route("/<int:campaign_id>/objections/<int:objection_id>/decide", methods=["POST"])
@login_required
def objection_decide(campaign_id: int, objection_id: int) -> tuple[str, int] | Response:
    campaign = _handled(campaign_id)
    objection = _objection(campaign, objection_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _detail(campaign, objection, form=form, status=400)
    if form.upheld.data not in ("yes", "no"):
        form.upheld.errors = [_("请选择处理结果")]
        return _detail(campaign, objection, form=form, status=400)
    if not confirm.confirmed():
        back = url_for(
            "nominations.objection_show", campaign_id=campaign.id, objection_id=objection.id
        )
        return confirm.ask(decide_consequence(), back), 200
    try:
        done = service.decide(
            current_user, objection, form.upheld.data == "yes", form.reason.data or ""
        )
    except service.ObjectionRefused as error:
        db.session.rollback()
        if error.field is not None:
            put_error(form, error)
            return _detail(campaign, objection, form=form, status=400)
        flash(error.message, "danger")
        return redirect(url_for("nominations.objections", campaign_id=campaign.id))
    db.session.commit()
    if done.removed is None:
        flash(_("已处理：异议不成立。"), "success")
    else:
        flash(_("已处理：异议成立，%(name)s已取消拟表彰资格。", name=done.removed.name), "success")
    if done.promoted is not None and done.notice is not None:
        flash(
            _(
                "%(name)s递补为拟表彰人选，递补公示 %(start)s 至 %(end)s。",
                name=done.promoted.name,
                start=done.notice.starts_on.isoformat(),
                end=done.notice.ends_on.isoformat(),
            ),
            "success",
        )
    elif done.no_promotion:
        flash(done.no_promotion, "warning")
    return redirect(url_for("nominations.objections", campaign_id=campaign.id))
