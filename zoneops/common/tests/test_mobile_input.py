"""A mobile number, one rule for every form that takes one (the hall's inquiry, an applicant's
phone): ASCII digits only, spaces and dashes typed in it left out."""

from zoneops.common.inputs import mobile_error, mobile_normalised


def test_a_mobile_is_eleven_ascii_digits_however_it_is_typed():
    assert mobile_normalised(" 138-1234 5678 ") == "13812345678"
    assert mobile_error("13812345678") is None
    assert "11位" in mobile_error("13８１２３４５６７８")  # full-width digits
    assert "11位" in mobile_error("12812345678")
    assert mobile_error("") == "请填写手机号。"
