"""Forms of the admin area: accounts, passwords, and 荣誉管理 (roster upload, revoke, export)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from contest.models import ROLE_LABELS, Organization, Role


class UserForm(FlaskForm):
    username = StringField(
        _l("用户名"), validators=[DataRequired(_l("请填写用户名")), Length(max=64)]
    )
    display_name = StringField(_l("显示名称"), validators=[Optional(), Length(max=60)])
    # A new account starts as the least privileged role: a slip of the hand must not make an
    # administrator (the admin picks 系统管理员 on purpose).
    role = SelectField(_l("角色"), default=Role.JUDGE.value)
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
    # The admin chose this password, so by default its owner must replace it at next login.
    must_change = BooleanField(_l("下次登录时须修改密码"), default=True)


class JudgeSheetForm(FlaskForm):
    file = FileField(
        _l("评委名单(.xlsx 或 .csv)"),
        validators=[FileRequired(_l("请选择要导入的文件"))],
        description=_l("表头:用户名、姓名、单位(组织名称或组织代码)、联系电话,均为必填"),
    )


class RosterUploadForm(FlaskForm):
    file = FileField(
        _l("名录文件(.xlsx 或 .csv)"),
        validators=[FileRequired(_l("请选择要导入的文件"))],
        description=_l(
            "表头:姓名、荣誉称号、级别、年份(必填);性别、单位、岗位、技能等级、授予机关、文号、事迹、身份证号、联系电话(选填)"
        ),
    )


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("撤销原因"),
        validators=[
            DataRequired(_l("撤销荣誉必须填写原因")),
            Length(max=1000, message=_l("撤销原因不能超过 1000 个字符")),
        ],
        description=_l("例如:受到刑事处罚、事迹严重失实、弄虚作假(记入审计日志)"),
    )


class ExportForm(FlaskForm):
    # A plain <select> in the template: WTForms 3.3 deprecates tuple choices, 3.2 lacks the new.
    format = StringField(_l("格式"), default="xlsx", validators=[AnyOf(["xlsx", "csv"])])
    valid_only = BooleanField(_l("只导出有效荣誉(不含已撤销)"))
    include_private = BooleanField(_l("包含身份证号和联系电话(仅限内部使用,将记入审计日志)"))
