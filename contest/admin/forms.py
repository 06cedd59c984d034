from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from contest.models import ROLE_LABELS, Organization


class UserForm(FlaskForm):
    username = StringField(
        _l("用户名"), validators=[DataRequired(_l("请填写用户名")), Length(max=64)]
    )
    display_name = StringField(_l("显示名称"), validators=[Optional(), Length(max=60)])
    role = SelectField(_l("角色"))
    organization_id = SelectField(_l("所属组织"), coerce=int)
    password = PasswordField(
        _l("初始密码"),
        validators=[
            DataRequired(_l("请设置初始密码")),
            Length(min=8, message=_l("密码至少需要 8 个字符")),
        ],
    )

    def __init__(self, organizations: list[Organization], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [(r.value, str(label)) for r, label in ROLE_LABELS.items()]
        self.organization_id.choices = [(0, _l("(无,仅系统管理员)"))] + [
            (o.id, "  " * o.depth + o.name) for o in organizations
        ]


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("新密码"),
        validators=[
            DataRequired(_l("请输入新密码")),
            Length(min=8, message=_l("密码至少需要 8 个字符")),
        ],
    )
