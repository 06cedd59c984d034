from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from contest.models import User
from contest.security.passwords import verify_password
from contest.ui.forms import CheckedForm


class LoginForm(CheckedForm):
    username = StringField(
        _l("用户名"), validators=[DataRequired(_l("请输入用户名")), Length(max=64)]
    )
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码"))])
    remember = BooleanField(_l("在这台设备上保持登录"))


class ChangePasswordForm(CheckedForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码"))])
    new = PasswordField(
        _l("新密码"),
        validators=[
            DataRequired(_l("请输入新密码")),
            Length(min=8, message=_l("密码至少需要 8 个字符")),
        ],
    )
    confirm = PasswordField(
        _l("确认新密码"), validators=[EqualTo("new", message=_l("两次输入的新密码不一致"))]
    )

    def __init__(self, user: User, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_current(self, field: Field) -> None:
        if not verify_password(self.user.password_hash, field.data or ""):
            raise ValidationError(_l("当前密码不正确"))

    def validate_new(self, field: Field) -> None:
        # A one-time password was on paper: keeping it would keep it known to others.
        if field.data and verify_password(self.user.password_hash, field.data):
            raise ValidationError(_l("新密码不能与当前密码相同"))


# The lifetimes a token may be given on the page, in days; "" is 永不过期.
TOKEN_LIFETIMES = [
    SelectChoice("30", _l("30 天")),
    SelectChoice("90", _l("90 天")),
    SelectChoice("365", _l("一年")),
    SelectChoice("", _l("永不过期")),
]


class TokenForm(CheckedForm):
    """A new API token of the signed-in user: a name to recognise it by and a lifetime."""

    name = StringField(
        _l("名称"),
        validators=[Optional()],  # its length is the service's rule (users.create_token)
        description=_l("用来认出这个令牌，例如“评分平板 1 号”或“数据大屏”"),
    )
    expires = SelectField(_l("有效期"), choices=TOKEN_LIFETIMES, default="90")

    @property
    def expires_in_days(self) -> int | None:
        return int(self.expires.data) if self.expires.data else None
