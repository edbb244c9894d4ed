"""An applicant's phone and identity number: ASCII digits only (a regex's \\d takes others)."""

from zoneops.approvals.validators import id_number_error, phone_error


def test_an_applicants_phone_and_id_number_take_ascii_digits_only():
    assert phone_error("13812345678") is None and phone_error("0317-1234567") is None
    assert phone_error("13８１２３４５６７８") is not None
    assert id_number_error("１１０１０５１９４９１２３１００２X") is not None
