"""The union tree in the browser: the tree page, and creating, editing, moving and closing unions.

Thin views: load (404/403 by scope) → validate the form → call ``services.core.orgs`` (which
checks scope and placement again and audits) → commit → flash → redirect. A refused write
puts the service's message on the field it names and changes nothing.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from contest.extensions import db
from contest.models import Organization, OrgKind, Ownership, Person, Role
from contest.orgs.base import load_org, orgs_in_scope, scope_root
from contest.orgs.blueprint import bp
from contest.orgs.forms import CloseForm, MoveForm, OrganizationForm
from contest.services.core import orgs as org_service
from contest.services.core.orgs import OrganizationError, OrgData
from contest.ui.forms import ActionForm


def _people_counts(tree: list[Organization]) -> tuple[dict[int, int], dict[int, int]]:
    """People directly in each union, and in each union with everything below it."""
    ids = [o.id for o in tree]
    direct: dict[int, int] = dict(
        db.session.execute(  # type: ignore[arg-type]
            select(Person.organization_id, func.count(Person.id))
            .where(Person.organization_id.in_(ids))
            .group_by(Person.organization_id)
        ).all()
    )
    total: Counter[int] = Counter()
    for org in tree:
        count = direct.get(org.id, 0)
        if count:
            for ancestor_id in org.path_ids:
                total[ancestor_id] += count
    return direct, dict(total)


def _matches(tree: list[Organization], q: str) -> list[Organization]:
    needle = q.casefold()
    return [
        org
        for org in tree
        if any(
            needle in (value or "").casefold()
            for value in (org.name, org.short_name, org.code, org.employer, org.credit_code)
        )
    ]


@bp.route("/")
def index():  # type: ignore[no-untyped-def]
    """The tree with counts per node; a search lists the matching unions with their paths."""
    tree = orgs_in_scope()
    q = (request.args.get("q") or "").strip()[:100]
    direct, total = _people_counts(tree)
    children = Counter(o.parent_id for o in tree if not o.is_closed)
    names = {o.id: o.name for o in tree}
    root = scope_root()
    return render_template(
        "orgs/index.html",
        orgs=tree,
        root=root,
        base_depth=root.depth if root else 0,
        direct=direct,
        total=total,
        children=children,
        q=q,
        matches=_matches(tree, q) if q else None,
        names=names,
        can_create_root=current_user.role is Role.ADMIN,
    )


def _form_data(form: OrganizationForm) -> OrgData:
    return OrgData(
        name=form.name.data or "",
        kind=OrgKind(form.kind.data),
        short_name=form.short_name.data,
        code=form.code.data,
        employer=form.employer.data,
        credit_code=form.credit_code.data,
        ownership=Ownership(form.ownership.data) if form.ownership.data else None,
        industry=form.industry.data,
        is_key_industry=bool(form.is_key_industry.data),
        region=form.region.data,
        headcount=form.headcount.data,
        member_count=form.member_count.data,
        counted_on=form.counted_on.data,
    )


def _put_error(form: Any, error: OrganizationError) -> None:
    target = getattr(form, f"{error.field}_id", None) or getattr(form, error.field or "", None)
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, str(error)]
    else:
        flash(str(error), "danger")


def _parents_for_new() -> list[Organization]:
    return [o for o in orgs_in_scope(open_only=True) if o.kind is not OrgKind.JOINT]


@bp.route("/new", methods=["GET", "POST"])
def new_org():  # type: ignore[no-untyped-def]
    """Create a union below one the user manages (admins may also create a top-level one)."""
    parents = _parents_for_new()
    form = OrganizationForm(parents)
    if current_user.role is Role.ADMIN:
        form.parent_id.choices = [(0, _("（无上级：顶层组织）")), *form.parent_id.choices]
    if request.method == "GET":
        parent_id = request.args.get("parent", type=int)
        if parent_id:
            form.parent_id.data = parent_id
        form.kind.data = OrgKind.GRASSROOTS.value
    if form.validate_on_submit():
        parent = load_org(form.parent_id.data) if form.parent_id.data else None
        try:
            org = org_service.create_organization(current_user, _form_data(form), parent)
        except OrganizationError as error:
            db.session.rollback()
            _put_error(form, error)
        else:
            db.session.commit()
            flash(_("已创建 %(name)s。", name=org.name), "success")
            return redirect(url_for("orgs.show", org_id=org.id))
    return render_template("orgs/org_form.html", form=form, org=None)


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
def edit_org(org_id: int):  # type: ignore[no-untyped-def]
    org = load_org(org_id)
    form = OrganizationForm([], obj=org)
    del form.parent_id  # an edit never moves: that is the move form's job
    if form.validate_on_submit():
        try:
            org_service.update_organization(current_user, org, _form_data(form))
        except OrganizationError as error:
            db.session.rollback()
            _put_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存 %(name)s 的信息。", name=org.name), "success")
            return redirect(url_for("orgs.show", org_id=org.id))
    return render_template("orgs/org_form.html", form=form, org=org)


@bp.route("/<int:org_id>/move", methods=["GET", "POST"])
def move_org(org_id: int):  # type: ignore[no-untyped-def]
    """Move a union with everything below it; the page lists only parents it may go under."""
    org = load_org(org_id)
    parents = [
        o
        for o in orgs_in_scope(open_only=True)
        if not org.contains(o)
        and o.id != org.parent_id
        and org_service.placement_problem(org.kind, o) is None
    ]
    form = MoveForm(parents)
    allowed = org_service.can_restructure(current_user, org)
    if allowed and form.validate_on_submit():
        try:
            moved = org_service.move_organization(
                current_user, org, load_org(form.parent_id.data), form.reason.data
            )
        except OrganizationError as error:
            db.session.rollback()
            _put_error(form, error)
        else:
            db.session.commit()
            flash(_("已将 %(name)s 及其下级组织移到新的上级工会之下。", name=moved.name), "success")
            return redirect(url_for("orgs.show", org_id=moved.id))
    return render_template(
        "orgs/move.html", form=form, org=org, allowed=allowed, has_parents=bool(parents)
    )


@bp.route("/<int:org_id>/close", methods=["GET", "POST"])
def close_org(org_id: int):  # type: ignore[no-untyped-def]
    """Close (撤销) a union; the page names the open work that still keeps it open."""
    org = load_org(org_id)
    form = CloseForm()
    problems = org_service.open_work(org)
    allowed = org_service.can_restructure(current_user, org) and not org.is_closed
    if allowed and not problems and form.validate_on_submit():
        try:
            org_service.close_organization(current_user, org, form.reason.data or "")
        except OrganizationError as error:
            db.session.rollback()
            _put_error(form, error)
        else:
            db.session.commit()
            flash(_("已撤销 %(name)s。", name=org.name), "success")
            return redirect(url_for("orgs.show", org_id=org.id))
    return render_template(
        "orgs/close.html", form=form, org=org, problems=problems, allowed=allowed
    )


@bp.route("/<int:org_id>/reopen", methods=["POST"])
def reopen_org(org_id: int):  # type: ignore[no-untyped-def]
    org = load_org(org_id)
    if not ActionForm().validate_on_submit():
        flash(_("页面已过期，请重试。"), "danger")
        return redirect(url_for("orgs.show", org_id=org.id))
    try:
        org_service.reopen_organization(current_user, org)
    except OrganizationError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("已恢复 %(name)s。", name=org.name), "success")
    return redirect(url_for("orgs.show", org_id=org.id))
