"""身份证号 as Excel hands it over: a cell kept as a number has lost digits and says so."""

from __future__ import annotations

import pytest

from contest.validation import normalise_id_number

EXCEL_MESSAGE = "被 Excel 当作数字保存"


@pytest.mark.parametrize(
    "raw",
    [1.10105199003071e17, "1.10105199003071E+17", "1.10105199003071e+17", "110105199003071234.0"],
)
def test_an_id_number_excel_stored_as_a_number_is_refused_with_the_reason(
    app: object, raw: object
) -> None:
    with app.app_context(), pytest.raises(ValueError, match=EXCEL_MESSAGE):  # type: ignore[attr-defined]
        normalise_id_number(raw)


def test_a_short_number_gets_the_length_message(app: object) -> None:
    with app.app_context(), pytest.raises(ValueError, match="18 位"):  # type: ignore[attr-defined]
        normalise_id_number("11010519900307")
