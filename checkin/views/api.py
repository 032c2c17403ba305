"""The door's JSON API, version 1: the offline list and the sync of scans.

A device authenticates with its secret (``Authorization: Device <secret>``) and the person
with their session; every error is ``{"error": {"code": …, "message": …}}`` with a
stable code. Each device may make at most RATE_LIMIT requests a minute.
"""

import json
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from checkin import errors, selectors, services
from checkin.models import Verdict
from checkin.permissions import can_scan, can_supervise
from core.errors import DomainError, error_response

API_VERSION = 1
RATE_LIMIT = 240  # requests a minute per device
MAX_BODY = 2 * 1024 * 1024
MAX_TIME_LENGTH = 40  # "2026-09-19T09:30:00.123456+02:00" is 32


def _is_version(value) -> bool:
    """The API's version, as a number (``true`` equals 1 in Python, not in the API)."""
    return type(value) is int and value == API_VERSION


def _device_and_user(request, *, allow_pass: bool = True):
    """(device, user, None) or (None, None, error response).

    The person is the one named by the device's door pass (``X-Door-Pass``, see
    services.door_pass_issue) when it is valid, else the signed-in user, whose door role is
    then checked. With a pass, the user is not loaded: only its id is needed.
    """
    header = request.headers.get("Authorization", "")
    secret = header[len("Device ") :] if header.startswith("Device ") else ""
    device = services.device_from_secret(secret)
    if device is None:
        return None, None, error_response(errors.DEVICE_UNKNOWN, version=API_VERSION)
    if device.revoked_at is not None:
        return None, None, error_response(errors.DEVICE_REVOKED, version=API_VERSION)
    user_id = None
    if allow_pass:
        user_id = services.door_pass_user_id(request.headers.get("X-Door-Pass", ""), device=device)
    if user_id is not None:
        user = get_user_model()(pk=user_id)
    elif can_scan(request.user, device.event):
        user = request.user
    else:
        return None, None, error_response(errors.NOT_DOOR_STAFF, version=API_VERSION)
    window = int(timezone.now().timestamp() // 60)
    key = f"checkin:rate:{device.pk}:{window}"
    cache.add(key, 0, 120)
    if cache.incr(key) > RATE_LIMIT:
        return None, None, error_response(errors.RATE_LIMITED, version=API_VERSION)
    return device, user, None


@require_GET
def door_list(request):
    # always the session and the role: this is where a new door pass is handed out
    device, user, failure = _device_and_user(request, allow_pass=False)
    if failure:
        return failure
    return JsonResponse(
        {
            "version": API_VERSION,
            "event": {"slug": device.event.slug, "title": device.event.title},
            "device": device.name,
            "generated_at": timezone.now().isoformat(),
            "door_pass": services.door_pass_issue(device=device, user=user),
            "door_pass_max_age": services.DOOR_PASS_MAX_AGE,
            "tickets": selectors.door_list(event=device.event),
        }
    )


def _body(request, limit: int, error: DomainError) -> bytes:
    """The request's body, or ``error`` (answered with a 413): over ``limit``, or over
    Django's DATA_UPLOAD_MAX_MEMORY_SIZE (which refuses to read it at all)."""
    try:
        body = request.body
    except RequestDataTooBig as exc:
        raise error from exc
    if len(body) > limit:
        raise error
    return body


def _loads(body: bytes, message: str | None = None):
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        # RecursionError: arrays nested thousands deep
        raise DomainError(errors.MALFORMED_JSON, message) from exc


def _parse_time(value, field: str) -> datetime:
    """An aware date and time as written (its own offset), or DomainError ``invalid_scan``:
    impossible dates (30 February), offsets of a day or more, naive times, anything else.
    Whether it is plausible is the service's decision (``services.scan_time``)."""
    parsed = None
    if isinstance(value, str) and len(value) <= MAX_TIME_LENGTH:
        try:
            parsed = parse_datetime(value)
        except (ValueError, OverflowError):
            parsed = None
    if parsed is None or timezone.is_naive(parsed):
        raise DomainError(
            errors.INVALID_SCAN,
            _("“%(field)s” must be a date and time with its time zone.") % {"field": field},
        )
    return parsed


def _parse_scan(item) -> services.SyncScan:
    if not isinstance(item, dict):
        raise DomainError(errors.INVALID_SCAN, _("Each scan is an object."))
    token = item.get("token")
    if not isinstance(token, str) or not 0 < len(token) <= 200:
        raise DomainError(errors.INVALID_SCAN, _("Each scan needs the ticket's code."))
    return services.SyncScan(
        nonce=item["nonce"],
        token=token,
        scanned_at=_parse_time(item.get("scanned_at"), "scanned_at"),
        id_checked=item.get("id_checked") is True,
        offline=item.get("offline") is True,
    )


def _valid_nonce(nonce) -> bool:
    return isinstance(nonce, str) and 8 <= len(nonce) <= 64 and nonce.isprintable()


def _parse_batch(
    body: bytes,
) -> tuple[datetime | None, list[services.SyncScan | services.ScanRejection]]:
    """The device's time and, in the order sent, each scan or the reason it is refused
    (a bad scan is answered on its own: the others of the batch go on)."""
    data = _loads(body, _("The batch is not valid JSON (cut in transit?)."))
    if not isinstance(data, dict) or not isinstance(data.get("scans"), list):
        raise DomainError(errors.MALFORMED_BATCH)
    if not _is_version(data.get("version", API_VERSION)):
        raise DomainError(
            errors.UNSUPPORTED_VERSION, _("This version of the sync API is not supported.")
        )
    device_time = (
        _parse_time(data["device_time"], "device_time") if data.get("device_time") else None
    )
    items: list[services.SyncScan | services.ScanRejection] = []
    seen = set()
    for item in data["scans"]:
        nonce = item.get("nonce") if isinstance(item, dict) else None
        if not _valid_nonce(nonce):
            items.append(
                services.ScanRejection(
                    None,
                    errors.INVALID_SCAN.code,
                    _("Each scan needs a nonce of 8 to 64 characters."),
                )
            )
            continue
        if nonce in seen:
            continue  # the same scan twice in one batch
        seen.add(nonce)
        try:
            items.append(_parse_scan(item))
        except DomainError as exc:
            items.append(services.ScanRejection(nonce, exc.code, str(exc.message)))
    return device_time, items


def _rejection_json(rejection: services.ScanRejection) -> dict:
    return {
        "nonce": rejection.nonce,
        "error": {"code": rejection.code, "message": rejection.message},
    }


def _answer_json(answer: services.ScanResult | services.ScanRejection) -> dict:
    if isinstance(answer, services.ScanRejection):
        return _rejection_json(answer)
    return _result_json(answer)


def _result_json(result: services.ScanResult) -> dict:
    scan = result.scan
    registration = scan.registration
    data = {
        "nonce": scan.nonce,
        "verdict": scan.verdict,
        "message": str(Verdict(scan.verdict).label),
        "conflict": scan.conflict,
    }
    if registration is not None and scan.verdict != Verdict.OTHER_EVENT:
        data.update(
            first_name=registration.first_name,
            last_name=registration.last_name,
            organisation=registration.organisation,
            category=registration.category,
        )
    if result.admission is not None:
        data["admitted_at"] = result.admission.scanned_at.isoformat()
        data["admitted_by_device"] = result.admission.device.name
    return data


@csrf_exempt  # authenticated by the device secret header, which browsers never send alone
@require_POST
def sync(request):
    device, user, failure = _device_and_user(request)
    if failure:
        return failure
    try:
        too_large = DomainError(errors.BATCH_TOO_LARGE)
        device_time, items = _parse_batch(_body(request, MAX_BODY, too_large))
        scans = [item for item in items if isinstance(item, services.SyncScan)]
        results = services.sync_batch(
            device=device, user=user, scans=scans, device_time=device_time
        )
    except DomainError as exc:
        return error_response(exc, version=API_VERSION)
    answers = iter(results)  # one answer per scan, in their order
    payload = {
        "version": API_VERSION,
        "server_time": timezone.now().isoformat(),
        "results": [
            _answer_json(item if isinstance(item, services.ScanRejection) else next(answers))
            for item in items
        ],
    }
    if not scans or any(scan.offline for scan in scans):
        # This device's conflicts come with the heartbeat (an empty batch) and with offline
        # scans, the only ones that can cause a conflict; an online scan saves the query.
        payload["conflicts"] = [
            {"nonce": s.nonce, "last_name": s.registration.last_name if s.registration else ""}
            for s in selectors.device_conflicts(device=device)
        ]
    return JsonResponse(payload)


def _json_object(body: bytes) -> dict:
    data = _loads(body)
    if not isinstance(data, dict):
        raise DomainError(errors.MALFORMED_REQUEST)
    if not _is_version(data.get("version", API_VERSION)):
        raise DomainError(errors.UNSUPPORTED_VERSION)
    nonce = data.get("nonce")
    if not isinstance(nonce, str) or not 8 <= len(nonce) <= 64 or not nonce.isprintable():
        raise DomainError(errors.INVALID_SCAN, _("Each scan needs a nonce of 8 to 64 characters."))
    return data


def _text(data: dict, field: str, limit: int = 300) -> str:
    """A text field of a supervisor's request, or its DomainError (``errors.INVALID_TEXT``
    with the field). The services clean it
    (``core.input.clean_text``: control and invisible characters)."""
    value = data.get(field, "")
    if not isinstance(value, str) or len(value) > limit:
        raise DomainError(errors.INVALID_TEXT, field=field)
    return value


def _supervisor_call(request, action):
    # rare and sensitive: always the session, the user and their role
    device, user, failure = _device_and_user(request, allow_pass=False)
    if failure:
        return failure
    if not can_supervise(user, device.event):
        return error_response(errors.NOT_SUPERVISOR, version=API_VERSION)
    try:
        too_large = DomainError(errors.REQUEST_TOO_LARGE)
        result = action(device, user, _json_object(_body(request, 64 * 1024, too_large)))
    except DomainError as exc:
        return error_response(exc, version=API_VERSION)
    return JsonResponse(
        {
            "version": API_VERSION,
            "server_time": timezone.now().isoformat(),
            "result": _result_json(result),
        }
    )


@csrf_exempt  # authenticated by the device secret header, which browsers never send alone
@require_POST
def override(request):
    """A supervisor admits a person refused at the door (cancelled, waiting), with a reason."""

    def action(device, user, data):
        return services.admission_override(
            device=device,
            user=user,
            token=_text(data, "token", 200),
            nonce=data["nonce"],
            reason=_text(data, "reason", 2000),
            id_checked=data.get("id_checked") is True,
        )

    return _supervisor_call(request, action)


@csrf_exempt  # authenticated by the device secret header, which browsers never send alone
@require_POST
def walk_in(request):
    """A supervisor registers a person at the desk and admits them."""

    def action(device, user, data):
        return services.walk_in_admit(
            device=device,
            user=user,
            nonce=data["nonce"],
            first_name=_text(data, "first_name"),
            last_name=_text(data, "last_name"),
            email=_text(data, "email"),
            organisation=_text(data, "organisation"),
            category=_text(data, "category"),
            consent=data.get("consent") is True,
            id_checked=data.get("id_checked") is True,
            language=getattr(request, "LANGUAGE_CODE", "fr"),
        )

    return _supervisor_call(request, action)
