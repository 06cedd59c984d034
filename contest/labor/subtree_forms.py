"""The form of the 参赛名录's "add the unions of a subtree" step: a union of the host's tree,
the kinds of union to take from it and whether only those with their figures on file.

The same form previews (a GET, without a CSRF token: it changes nothing) and adds (a POST,
with one); ``contest.services.labor.participants.subtree_plan`` / ``add_subtree`` hold the
rules, the form only the shapes.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SelectMultipleField

from contest.models import Organization
from contest.services.labor.participants import SUBTREE_KINDS
from contest.ui.forms import CheckedForm


class SubtreeForm(CheckedForm):
    organization_id = SelectField(
        _l("范围"),
        coerce=int,
        description=_l("所选工会及其全部下级中符合类型的工会"),
        invalid_value_message=_l("请从列表中选择工会"),
        invalid_choice_message=_l("请从列表中选择工会"),
    )
    kinds = SelectMultipleField(
        _l("工会类型"),
        invalid_choice_message=_l("请从列表中选择工会类型"),
    )
    with_figures = BooleanField(
        _l("只添加已填写会员人数和职工人数的工会"),
        description=_l("评级的入会率由这两个数字算出"),
    )

    def __init__(self, roots: list[Organization], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        top = roots[0].depth if roots else 0
        self.organization_id.choices = [
            (org.id, "\u3000" * max(org.depth - top, 0) + org.name) for org in roots
        ]
        self.kinds.choices = [(kind.value, kind.label) for kind in SUBTREE_KINDS]
