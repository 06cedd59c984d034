"""Forms of 工作日历: one day's override, and a year entered from the State Council's notice.

The rules (a note is required, 补班 days fall on weekends, dates lie in the year …) are the
service's (:mod:`contest.services.nominations.calendar`); these forms only bound what is posted.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from contest.services.nominations.calendar import NOTE_MAX
from contest.ui.forms import CheckedForm

WORKS = "1"
OFF = "0"


class DayForm(CheckedForm):
    day = DateField(_l("日期"), validators=[InputRequired(_l("请填写日期"))])
    works = SelectField(
        _l("这一天"),
        choices=[
            SelectChoice(OFF, _l("放假（不计工作日）")),
            SelectChoice(WORKS, _l("上班（计工作日）")),
        ],
    )
    note = StringField(
        _l("说明"),
        validators=[Length(max=NOTE_MAX)],
        description=_l("必填：例如国务院通知的文号，或本地调休的依据"),
    )


class NoticeForm(CheckedForm):
    holidays = TextAreaField(
        _l("放假日期"),
        validators=[Length(max=5000)],
        description=_l(
            "每行一段，可直接粘贴通知原文，例如“春节：2月10日至16日”或“2031-10-01 至 2031-10-07”；"
            "括号中的星期会被忽略"
        ),
    )
    makeup = TextAreaField(
        _l("补班日期"),
        validators=[Optional(), Length(max=2000)],
        description=_l("调休上班的周六、周日，例如“2月8日（周六）、2月22日（周日）上班”"),
    )
    note = StringField(
        _l("通知文号"),
        validators=[Length(max=NOTE_MAX)],
        description=_l("必填：例如“国办发明电〔2030〕9号”，记入每个放假和补班日期"),
    )
