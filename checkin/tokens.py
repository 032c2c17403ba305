"""The signed enrolment link of a device (its QR code on the organiser's door page).

It names the device and its one-time enrolment nonce; the nonce, checked and spent by
``services.device_enrol``, makes it work once. It expires after ENROL_MAX_AGE.
"""

from django.core import signing

from checkin import errors
from checkin.models import Device
from core.errors import DomainError

ENROL_SALT = "ptce.checkin.enrol"
ENROL_MAX_AGE = 7 * 24 * 3600  # seconds


def enrolment_token(device: Device) -> str:
    return signing.dumps({"d": device.pk, "n": device.enrolment_nonce}, salt=ENROL_SALT)


def enrolment_from_token(token: str) -> tuple[object, str]:
    """(the device id as signed, the enrolment nonce), or DomainError ``enrolment_invalid``
    (altered, forged or expired)."""
    try:
        data = signing.loads(token, salt=ENROL_SALT, max_age=ENROL_MAX_AGE)
    except signing.BadSignature as exc:
        raise DomainError(errors.ENROLMENT_INVALID) from exc
    return data.get("d"), data.get("n", "")
