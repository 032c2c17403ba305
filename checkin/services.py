"""Writes of the door: enrol and revoke devices, record scans, merge offline batches.

Admissions follow the project's rule for scarce things: lock the registration row,
re-check, write; the one-to-one ``Admission.registration`` stands behind it. Each scan
carries a device nonce (unique per device), so a batch sent twice, or cut and sent
again, gives the same answers and counts nothing twice. When two devices admitted the
same ticket while offline, the earliest scan keeps the admission and the other is marked
as a conflict, for both devices and the organiser to see.
"""

import contextlib
import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checkin import errors
from checkin.models import Admission, Device, DoorRole, Scan, Verdict
from core.audit import audit
from core.dates import long_date
from core.errors import DomainError
from core.input import clean_text
from events.models import Event, Registration
from events.permissions import can_manage_event
from events.references import normalise as normalise_reference
from events.services import registration_walk_in
from events.tokens import ticket_secret_from_token

# Device clocks closer than this to the server's are trusted as they are.
CLOCK_TOLERANCE = timedelta(seconds=5)
# A scan time sent by a device is a hint: once corrected by the device's clock, it must
# fall within the door's hours (from DOOR_OPENS_BEFORE the event's start, for the team and
# the early comers, to DOOR_CLOSES_AFTER its end) and not after the server's clock by
# more than FUTURE_SKEW (then it is the server's time). Anything else is refused.
DOOR_OPENS_BEFORE = timedelta(hours=6)
DOOR_CLOSES_AFTER = timedelta(hours=6)
FUTURE_SKEW = timedelta(minutes=1)
_HASH_RE = re.compile(r"[0-9a-f]{64}")
MAX_BATCH = 500
REASON_MIN, REASON_MAX = 10, 300
# What a verdict shows of the person: loaded with the registration, in the same query.
PERSON_FIELDS = ("pk", "event_id", "first_name", "last_name", "organisation", "category")
# A device's "last seen" is written at most this often (each write is a commit).
LAST_SEEN_EVERY = timedelta(seconds=30)
# The verdicts a supervisor may overrule: the person is known, registered for this event.
OVERRIDABLE = frozenset({Verdict.CANCELLED, Verdict.WAITING})


def ticket_hash(token: str) -> str:
    """What a device keeps offline instead of the ticket token itself."""
    return hashlib.sha256(token.strip().encode()).hexdigest()


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class ScanResult:
    scan: Scan
    admission: Admission | None

    @property
    def verdict(self) -> str:
        return self.scan.verdict

    @property
    def nonce(self) -> str:
        return self.scan.nonce


@dataclass(frozen=True)
class ScanRejection:
    """A scan of a batch refused on its own (its time or its form): nothing is recorded,
    the other scans of the batch go on. Sent again, it is refused again."""

    nonce: str | None
    code: str
    message: str


def door_window(*, starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """The times at which a scan of this event may have happened."""
    return starts_at - DOOR_OPENS_BEFORE, ends_at + DOOR_CLOSES_AFTER


def event_days(*, starts_at: datetime, ends_at: datetime) -> str:
    """« le samedi 19 septembre 2031 », or « du samedi 19 septembre 2031 au dimanche
    20 septembre 2031 »: the local days of an event, as a sentence says them."""
    first, last = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if first.date() == last.date():
        return _("on %(date)s") % {"date": long_date(first, weekday=True)}
    return _("from %(start)s to %(end)s") % {
        "start": long_date(first, weekday=True),
        "end": long_date(last, weekday=True),
    }


def not_today(*, window: tuple[datetime, datetime], now: datetime) -> DomainError | None:
    """The refusal ``not_today`` when the door of the event (its ``window``, see
    ``door_window``) is not open at ``now``, else None. Only a supervisor's override, with
    a written reason, admits someone then (``admission_override``)."""
    start, end = window
    if start <= now <= end:
        return None
    days = event_days(starts_at=start + DOOR_OPENS_BEFORE, ends_at=end - DOOR_CLOSES_AFTER)
    if now < start:
        return DomainError(errors.NOT_TODAY, days=days)
    return DomainError(
        errors.NOT_TODAY,
        _(
            "Not today — the event took place %(days)s: its door is closed. This entry was "
            "not recorded."
        ),
        days=days,
    )


def door_check(*, event: Event, now: datetime | None = None) -> None:
    """Raise ``not_today`` outside the door's hours of ``event``."""
    refusal = not_today(
        window=door_window(starts_at=event.starts_at, ends_at=event.ends_at),
        now=now or timezone.now(),
    )
    if refusal is not None:
        raise refusal


def scan_time(
    claimed: datetime,
    *,
    offset: timedelta = timedelta(0),
    window: tuple[datetime, datetime],
    now: datetime,
) -> datetime:
    """The time to record for a scan a device says happened at ``claimed`` (its clock,
    ``offset`` behind the server's): within the door's ``window`` and never after ``now``,
    in UTC; else DomainError ``invalid_scan``. Never raises anything else, whatever the
    date (year 1, year 9999, an offset that overflows)."""
    try:
        corrected = (claimed + offset).astimezone(UTC)
    except (OverflowError, ValueError, TypeError, AttributeError) as exc:
        raise DomainError(
            errors.INVALID_SCAN,
            _("This scan's date cannot be read: check the phone's date and time."),
        ) from exc
    if corrected > now + FUTURE_SKEW:
        raise DomainError(
            errors.INVALID_SCAN,
            _("This scan is dated in the future: check the phone's date and time."),
        )
    start, end = window
    if not start <= corrected <= end:
        # Say only true things: when the door is not open today, the phone's clock is
        # not the reason.
        refusal = not_today(window=window, now=now)
        if refusal is not None:
            raise refusal
        raise DomainError(
            errors.INVALID_SCAN,
            _(
                "This scan is dated outside the door's hours of this event (from "
                "%(before)d hours before its start to %(after)d hours after its end): check "
                "the phone's date and time."
            ),
            before=DOOR_OPENS_BEFORE.total_seconds() // 3600,
            after=DOOR_CLOSES_AFTER.total_seconds() // 3600,
        )
    return min(corrected, now)


def _window_of(device: Device) -> tuple[datetime, datetime]:
    if Device.event.is_cached(device):
        event = device.event
        return door_window(starts_at=event.starts_at, ends_at=event.ends_at)
    starts_at, ends_at = (
        Event.objects.filter(pk=device.event_id).values_list("starts_at", "ends_at").get()
    )
    return door_window(starts_at=starts_at, ends_at=ends_at)


# --- devices -----------------------------------------------------------------------------


def device_create(*, event: Event, name: str, actor) -> Device:
    try:
        name = clean_text(name, max_length=80, required=True)
    except ValidationError as exc:
        message = exc.messages[0] if exc.code == "control" else None
        raise DomainError(errors.INVALID_DEVICE_NAME, message, field="name") from exc
    try:
        with transaction.atomic():
            device = Device.objects.create(
                event=event,
                name=name,
                created_by=actor,
                enrolment_nonce=secrets.token_hex(16),
            )
            audit(
                "checkin.device.created",
                scope=f"events.event:{event.pk}",
                object_id=device.pk,
                actor=actor,
            )
    except IntegrityError as exc:
        raise DomainError(errors.DEVICE_NAME_TAKEN, field="name") from exc
    return device


def device_enrol(*, device_id: int, enrolment_nonce: str) -> tuple[Device, str]:
    """Claim a device with its one-time enrolment link; returns the device and its secret
    (shown once, kept by the phone)."""
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        device = Device.objects.select_for_update().filter(pk=device_id).first()
        if device is None or not secrets.compare_digest(device.enrolment_nonce, enrolment_nonce):
            raise DomainError(errors.ENROLMENT_INVALID)
        if device.revoked_at is not None:
            raise DomainError(errors.DEVICE_REVOKED)
        if device.enrolled_at is not None:
            raise DomainError(errors.ENROLMENT_USED)
        device.secret_hash = secret_hash(secret)
        device.enrolled_at = timezone.now()
        device.save(update_fields=["secret_hash", "enrolled_at"])
        audit(
            "checkin.device.enrolled", scope=f"events.event:{device.event_id}", object_id=device.pk
        )
    return device, secret


def device_revoke(*, device: Device, actor) -> None:
    with transaction.atomic():
        updated = Device.objects.filter(pk=device.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not updated:
            raise DomainError(errors.DEVICE_REVOKED)
        audit(
            "checkin.device.revoked",
            scope=f"events.event:{device.event_id}",
            object_id=device.pk,
            actor=actor,
        )


def _account_for(login: str):
    """The active account with this username or e-mail address (case-insensitive)."""
    from django.contrib.auth import get_user_model

    try:
        login = clean_text(login, max_length=254, required=True)
    except ValidationError as exc:
        message = exc.messages[0] if exc.code == "control" else None
        raise DomainError(errors.INVALID_LOGIN, message, field="login") from exc
    users = get_user_model().objects.filter(is_active=True)
    by_name = users.filter(username__iexact=login)
    accounts = list(by_name[:2]) or list(users.filter(email__iexact=login)[:2])
    if not accounts:
        raise DomainError(errors.UNKNOWN_ACCOUNT, field="login")
    if len(accounts) > 1:
        raise DomainError(errors.AMBIGUOUS_ACCOUNT, field="login")
    return accounts[0]


def door_role_grant(*, event: Event, login: str, role: str, actor) -> DoorRole:
    """An organiser gives an existing account a role at their event's door (door agent or
    supervisor); a person who already has the other role gets this one instead."""
    if not can_manage_event(actor, event):
        raise DomainError(errors.NOT_ORGANISER)
    if role not in DoorRole.Role.values:
        raise DomainError(errors.INVALID_ROLE, field="role")
    user = _account_for(login)
    with transaction.atomic():
        Event.objects.select_for_update().get(pk=event.pk)
        current = DoorRole.objects.filter(event=event, user=user).first()
        if current is not None and current.role == role:
            raise DomainError(errors.ALREADY_HAS_ROLE, field="login", name=user.get_username())
        if current is None:
            current = DoorRole.objects.create(event=event, user=user, role=role)
        else:
            current.role = role
            current.save(update_fields=["role"])
        audit(
            "checkin.door_role.granted",
            scope=f"events.event:{event.pk}",
            object_id=current.pk,
            actor=actor,
            role=role,
        )
    return current


def door_role_remove(*, door_role: DoorRole, actor) -> None:
    if not can_manage_event(actor, door_role.event):
        raise DomainError(errors.NOT_ORGANISER)
    with transaction.atomic():
        deleted, _rows = DoorRole.objects.filter(pk=door_role.pk).delete()
        if not deleted:
            raise DomainError(errors.ROLE_GONE)
        audit(
            "checkin.door_role.removed",
            scope=f"events.event:{door_role.event_id}",
            object_id=door_role.pk,
            actor=actor,
            role=door_role.role,
        )


DOOR_PASS_SALT = "checkin.door-pass"  # noqa: S105 - a signing salt, not a secret
DOOR_PASS_MAX_AGE = 600  # seconds: a door role removed stops working within 10 minutes


def door_pass_issue(*, device: Device, user) -> str:
    """A signed pass binding a person to a device, handed out with the offline list (which
    checks the session and the door role). The sync API then trusts it for
    DOOR_PASS_MAX_AGE instead of loading the session, the user and the role on every scan.
    On its own it is worth nothing: the device's secret is checked on every request."""
    return signing.dumps({"d": device.pk, "u": user.pk}, salt=DOOR_PASS_SALT)


def door_pass_user_id(token: str, *, device: Device) -> int | None:
    """The person a valid pass of this device names, or None (missing, forged, expired,
    or issued to another device)."""
    if not token:
        return None
    try:
        data = signing.loads(token, salt=DOOR_PASS_SALT, max_age=DOOR_PASS_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired included
        return None
    if (
        not isinstance(data, dict)
        or data.get("d") != device.pk
        or not isinstance(data.get("u"), int)
    ):
        return None
    return data["u"]


def device_from_secret(secret: str) -> Device | None:
    if not secret:
        return None
    # No join on the event (a wide row): the sync path needs only event_id; the others
    # load it when they need it.
    found = list(Device.objects.filter(secret_hash=secret_hash(secret)).order_by()[:1])
    return found[0] if found else None


# --- scans -------------------------------------------------------------------------------


def _digest(token: str) -> str | None:
    """The ticket hash of an ``h:`` token (a person found by name on the phone, which
    keeps only hashes), or None when it is not one: 64 hexadecimal digits."""
    digest = token[2:].strip().lower()
    return digest if _HASH_RE.fullmatch(digest) else None


def _resolve(
    token: str, device: Device, *, lock: bool = False
) -> tuple[str | None, Registration | None]:
    """The verdict that needs no decision (forged, unknown, other event), or the
    registration, locked (``SELECT … FOR UPDATE``, inside the caller's transaction) when
    ``lock`` is set: the lookup and the lock are then one query.

    ``token`` is the ticket's code as scanned, its reference as typed (« K7MX-Q4TR »,
    events.references: only this event's), or ``h:<sha256 of the code>`` for a person
    found by name on the phone (which keeps only hashes).
    """
    token = token.strip()
    reference = normalise_reference(token)
    if token.startswith("h:") or reference is not None:
        if reference is not None:
            by_code = {"reference": reference}
        else:
            digest = _digest(token)
            if digest is None:
                return Verdict.UNKNOWN, None
            by_code = {"ticket_hash": digest}
        found = Registration.objects.filter(
            event_id=device.event_id, erased_at__isnull=True, **by_code
        )
        if lock:
            found = found.select_for_update().only(*PERSON_FIELDS, "status")
        else:
            found = found.only(*PERSON_FIELDS)
        registration = found.order_by().first()
        if registration is None:
            return Verdict.UNKNOWN, None
        return None, registration
    try:
        secret = ticket_secret_from_token(token)
    except DomainError:
        return Verdict.UNKNOWN, None
    found = Registration.objects.filter(ticket_secret=secret, erased_at__isnull=True)
    if lock:
        found = found.select_for_update().only(*PERSON_FIELDS, "status")
    else:
        found = found.only(*PERSON_FIELDS)
    registration = found.order_by().first()
    if registration is None:
        return Verdict.UNKNOWN, None
    if registration.event_id != device.event_id:
        return Verdict.OTHER_EVENT, registration
    return None, registration


def scan_record(
    *,
    device: Device,
    user,
    token: str,
    nonce: str,
    scanned_at: datetime,
    id_checked: bool,
    offline: bool = False,
    now: datetime | None = None,
    previous: Scan | None | bool = False,
    window: tuple[datetime, datetime] | None = None,
) -> ScanResult:
    """Decide and record one scan. The same (device, nonce) again returns the same result.

    ``previous``: the scan already recorded under this nonce, when the caller looked it up
    (None: there is none); False: look it up here. ``scanned_at`` outside the door's
    ``window`` (looked up when not given) or in the future: DomainError ``invalid_scan``."""
    now = now or timezone.now()
    if previous is False:
        previous = Scan.objects.filter(device=device, nonce=nonce).first()
    if previous is not None:
        return ScanResult(previous, _admission_of(previous))
    scanned_at = scan_time(scanned_at, window=window or _window_of(device), now=now)
    try:
        with transaction.atomic():
            admission = None
            conflict = False
            if not device.is_active:
                verdict, registration = Verdict.DEVICE_REVOKED, None
            else:
                verdict, registration = _resolve(token, device, lock=True)
            if verdict is None:
                verdict, admission, conflict = _decide(
                    registration=registration,
                    device=device,
                    user=user,
                    scanned_at=scanned_at,
                    id_checked=id_checked,
                    offline=offline,
                    now=now,
                )
            scan = Scan.objects.create(
                event_id=device.event_id,
                device=device,
                user=user,
                nonce=nonce,
                registration=registration if verdict != Verdict.OTHER_EVENT else None,
                scanned_at=scanned_at,
                received_at=now,
                verdict=verdict,
                offline=offline,
                conflict=conflict,
            )
    except IntegrityError:
        # the same nonce recorded by a concurrent request: its answer is the answer
        replayed = _replayed(device, nonce)
        if replayed is None:
            raise
        return replayed
    return ScanResult(scan, admission)


def _admission_of(scan: Scan) -> Admission | None:
    if scan.registration_id is None:
        return None
    return (
        Admission.objects.select_related("device")
        .filter(registration_id=scan.registration_id)
        .first()
    )


def _decide(
    *,
    registration: Registration,
    device: Device,
    user,
    scanned_at: datetime,
    id_checked: bool,
    offline: bool,
    now: datetime,
    admission: Admission | None | bool = False,
    new_admission=None,
) -> tuple[str, Admission | None, bool]:
    """Under the registration's lock (taken by the caller): admit, or say why not. Returns
    (verdict, admission, conflict).

    ``admission``: the registration's admission when the caller looked it up (None: none),
    False: look it up here. ``new_admission(**fields)`` makes the admission (default:
    insert it now; a batch collects them and inserts them together)."""
    if registration.status == Registration.Status.CANCELLED:
        return Verdict.CANCELLED, None, False
    if registration.status == Registration.Status.WAITING:
        return Verdict.WAITING, None, False
    if admission is False:
        admission = (
            Admission.objects.select_related("device").filter(registration=registration).first()
        )
    if admission is not None:
        if offline and scanned_at < admission.scanned_at:
            # This offline scan came first: it keeps the admission; the later one is the
            # conflict now (its device hears of it on its next sync).
            Scan.objects.filter(registration=registration, verdict=Verdict.ADMITTED).update(
                verdict=Verdict.ALREADY_ADMITTED, conflict=True
            )
            admission.device = device
            admission.checked_by = user
            admission.scanned_at = scanned_at
            admission.received_at = now
            admission.save(update_fields=["device", "checked_by", "scanned_at", "received_at"])
            audit(
                "checkin.admission.conflict_resolved",
                scope=f"events.event:{registration.event_id}",
                object_id=registration.pk,
                kept_device=device.pk,
            )
            return Verdict.ADMITTED, admission, True
        return Verdict.ALREADY_ADMITTED, admission, offline
    if not id_checked:
        return Verdict.ID_NOT_CHECKED, None, False
    admission = (new_admission or Admission.objects.create)(
        event_id=registration.event_id,
        registration=registration,
        device=device,
        checked_by=user,
        scanned_at=scanned_at,
        received_at=now,
        id_checked=True,
    )
    return Verdict.ADMITTED, admission, False


@dataclass(frozen=True)
class SyncScan:
    nonce: str
    token: str
    scanned_at: datetime
    id_checked: bool
    offline: bool


def sync_batch(
    *, device: Device, user, scans: list[SyncScan], device_time: datetime | None
) -> list[ScanResult | ScanRejection]:
    """Merge a batch of scans from a device, in the order they happened; the answers come
    in the order of ``scans``.

    ``device_time`` is the device's clock when it sent the batch: the difference with the
    server's clock corrects every scan time (a phone whose clock is off by minutes does
    not decide which of two admissions came first). A scan whose corrected time is not
    plausible (see ``scan_time``) is answered with a ScanRejection and recorded nowhere;
    the others of the batch go on.
    """
    if len(scans) > MAX_BATCH:
        raise DomainError(
            errors.BATCH_TOO_LARGE,
            _("Too many scans in one batch (%(max)d at most): send them in several parts."),
            max=MAX_BATCH,
        )
    now = timezone.now()
    offset = timedelta(0)
    if device_time is not None:
        try:
            if abs(now - device_time) > CLOCK_TOLERANCE:
                offset = now - device_time
        except (OverflowError, ValueError, TypeError) as exc:
            raise DomainError(
                errors.INVALID_SCAN,
                _("“%(field)s” must be a date and time with its time zone.")
                % {"field": "device_time"},
            ) from exc
    if device.last_seen_at is None or now - device.last_seen_at >= LAST_SEEN_EVERY:
        Device.objects.filter(pk=device.pk).update(last_seen_at=now)
    # The scans of this batch already recorded (a batch sent again): one query for all.
    # A single online scan (the common case at the door) skips it: sent twice, its
    # insert fails on the nonce and the fallback below finds the first answer.
    seen = {}
    if len(scans) > 1 or any(item.offline for item in scans):
        seen = {
            scan.nonce: scan
            for scan in Scan.objects.filter(
                device=device, nonce__in=[s.nonce for s in scans]
            ).order_by()
        }
    answers: dict[str, ScanResult | ScanRejection] = {
        nonce: ScanResult(scan, _admission_of(scan)) for nonce, scan in seen.items()
    }
    window = _window_of(device) if len(seen) < len(scans) else None
    timed = []
    for item in scans:
        if item.nonce in seen:
            continue
        try:
            at = scan_time(item.scanned_at, offset=offset, window=window, now=now)
        except DomainError as exc:
            answers[item.nonce] = ScanRejection(item.nonce, exc.code, str(exc.message))
            continue
        timed.append(replace(item, scanned_at=at))
    timed.sort(key=lambda s: s.scanned_at)
    if timed:
        try:
            fresh = _merge(device=device, user=user, scans=timed, now=now)
        except IntegrityError:
            # A scan of this batch recorded meanwhile by a concurrent request (the same
            # batch sent twice at once): nothing of this attempt was kept; one scan at a
            # time, each finds its answer.
            fresh = [
                scan_record(
                    device=device,
                    user=user,
                    token=item.token,
                    nonce=item.nonce,
                    scanned_at=item.scanned_at,
                    id_checked=item.id_checked,
                    offline=item.offline,
                    now=now,
                    window=window,
                )
                for item in timed
            ]
        answers.update((result.nonce, result) for result in fresh)
    return [answers[item.nonce] for item in scans if item.nonce in answers]


def _merge(*, device: Device, user, scans: list[SyncScan], now: datetime) -> list[ScanResult]:
    """Record the new scans of a batch (in time order) in one transaction, with a fixed
    number of queries whatever their number and the event's size: every registration
    named (by its ticket, or by its ticket's hash for a person found by name) is looked up
    and locked at once (in id order, so that two batches cannot deadlock), every admission
    read at once, the new admissions and scans inserted together. The decisions are those
    of ``_decide``."""
    secrets_wanted: dict[str, str] = {}  # nonce -> ticket secret
    hashes_wanted: dict[str, str] = {}  # nonce -> ticket hash (a person found by name)
    references_wanted: dict[str, str] = {}  # nonce -> reference (typed at the door)
    for item in scans:
        token = item.token.strip()
        reference = normalise_reference(token)
        if reference is not None:
            references_wanted[item.nonce] = reference
            continue
        if token.startswith("h:"):
            digest = _digest(token)
            if digest is not None:
                hashes_wanted[item.nonce] = digest
            continue
        with contextlib.suppress(DomainError):  # forged or mistyped: unknown
            secrets_wanted[item.nonce] = ticket_secret_from_token(token)
    with transaction.atomic():
        locked = {}
        if device.is_active and (secrets_wanted or hashes_wanted or references_wanted):
            locked = {
                r.pk: r
                for r in Registration.objects.select_for_update()
                .filter(
                    Q(ticket_secret__in=set(secrets_wanted.values()))
                    | Q(event_id=device.event_id, ticket_hash__in=set(hashes_wanted.values()))
                    | Q(event_id=device.event_id, reference__in=set(references_wanted.values())),
                    erased_at__isnull=True,
                )
                .only(*PERSON_FIELDS, "status", "ticket_secret", "ticket_hash", "reference")
                .order_by("pk")
            }
        by_secret = {r.ticket_secret: r for r in locked.values()}
        by_hash = {r.ticket_hash: r for r in locked.values() if r.event_id == device.event_id}
        by_reference = {r.reference: r for r in locked.values() if r.event_id == device.event_id}
        admissions = {
            a.registration_id: a
            for a in Admission.objects.select_related("device")
            .filter(
                registration_id__in=[pk for pk in locked if locked[pk].event_id == device.event_id]
            )
            .order_by()
        }
        new_admissions: list[Admission] = []

        def new_admission(**fields) -> Admission:
            admission = Admission(**fields)
            new_admissions.append(admission)
            return admission

        new_scans, results = [], []
        for item in scans:
            admission, conflict = None, False
            if item.nonce in references_wanted:
                registration = by_reference.get(references_wanted[item.nonce])
            elif item.nonce in hashes_wanted:
                registration = by_hash.get(hashes_wanted[item.nonce])
            else:
                registration = by_secret.get(secrets_wanted.get(item.nonce, ""))
            if not device.is_active:
                verdict, registration = Verdict.DEVICE_REVOKED, None
            elif registration is None:
                verdict = Verdict.UNKNOWN
            elif registration.event_id != device.event_id:
                verdict = Verdict.OTHER_EVENT
            else:
                verdict, admission, conflict = _decide(
                    registration=registration,
                    device=device,
                    user=user,
                    scanned_at=item.scanned_at,
                    id_checked=item.id_checked,
                    offline=item.offline,
                    now=now,
                    admission=admissions.get(registration.pk),
                    new_admission=new_admission,
                )
                if admission is not None:
                    admissions[registration.pk] = admission
            scan = Scan(
                event_id=device.event_id,
                device=device,
                user=user,
                nonce=item.nonce,
                registration=registration if verdict != Verdict.OTHER_EVENT else None,
                scanned_at=item.scanned_at,
                received_at=now,
                verdict=verdict,
                offline=item.offline,
                conflict=conflict,
            )
            new_scans.append(scan)
            results.append(ScanResult(scan, admission))
        Admission.objects.bulk_create(new_admissions)
        Scan.objects.bulk_create(new_scans)
    return results


# --- supervisors: overrides and walk-ins ---------------------------------------------------


def _clean_reason(reason: str) -> str:
    try:
        reason = clean_text(reason, max_length=REASON_MAX)
    except ValidationError as exc:
        if exc.code != "control":
            raise DomainError(
                errors.OVERRIDE_REASON_TOO_LONG, field="reason", max=REASON_MAX
            ) from exc
        raise DomainError(errors.INVALID_TEXT, exc.messages[0], field="reason") from exc
    if len(reason) < REASON_MIN:
        raise DomainError(errors.OVERRIDE_REASON_REQUIRED, field="reason", min=REASON_MIN)
    if len(reason) > REASON_MAX:
        raise DomainError(errors.OVERRIDE_REASON_TOO_LONG, field="reason", max=REASON_MAX)
    return reason


def _replayed(device: Device, nonce: str) -> ScanResult | None:
    previous = Scan.objects.filter(device=device, nonce=nonce).first()
    return None if previous is None else ScanResult(previous, _admission_of(previous))


def _check_device(device: Device) -> None:
    if not device.is_active:
        raise DomainError(errors.DEVICE_REVOKED)


def _admit_at_desk(
    *, registration: Registration, device: Device, user, nonce: str, reason: str = ""
) -> tuple[Scan, Admission]:
    """Write a supervisor's admission and its scan (inside the caller's transaction)."""
    now = timezone.now()
    admission = Admission.objects.create(
        event_id=registration.event_id,
        registration=registration,
        device=device,
        checked_by=user,
        scanned_at=now,
        received_at=now,
        id_checked=True,
        override_reason=reason,
    )
    scan = Scan.objects.create(
        event_id=device.event_id,
        device=device,
        user=user,
        nonce=nonce,
        registration=registration,
        scanned_at=now,
        received_at=now,
        verdict=Verdict.ADMITTED,
    )
    return scan, admission


def admission_override(
    *, device: Device, user, token: str, nonce: str, reason: str, id_checked: bool
) -> ScanResult:
    """A supervisor admits a person the door refused (registration cancelled, still on
    the waiting list, or any ticket of the event on a day the door is closed: the only
    way in then), with a written reason kept on the admission and in the audit log.

    The registration keeps its status (an override is an exception, not a registration:
    it takes no place from anyone waiting). The caller checks ``can_supervise``.
    """
    replayed = _replayed(device, nonce)
    if replayed is not None:
        return replayed
    _check_device(device)
    reason = _clean_reason(reason)
    if not id_checked:
        raise DomainError(errors.ID_NOT_CHECKED)
    closed = not_today(window=_window_of(device), now=timezone.now())
    verdict, registration = _resolve(token, device)
    if verdict is not None:
        raise DomainError(errors.OVERRIDE_IMPOSSIBLE)
    try:
        with transaction.atomic():
            registration = Registration.objects.select_for_update().get(pk=registration.pk)
            if Admission.objects.filter(registration=registration).exists():
                raise DomainError(errors.ALREADY_ADMITTED)
            if closed is None and registration.status not in {s.value for s in OVERRIDABLE}:
                raise DomainError(errors.OVERRIDE_NOT_NEEDED)
            scan, admission = _admit_at_desk(
                registration=registration, device=device, user=user, nonce=nonce, reason=reason
            )
            audit(
                "checkin.admission.override",
                scope=f"events.event:{registration.event_id}",
                object_id=registration.pk,
                actor=user,
                device=device.pk,
                status=registration.status,
                not_today=closed is not None,
                reason=reason,
            )
    except IntegrityError:
        replayed = _replayed(device, nonce)
        if replayed is None:
            raise
        return replayed
    return ScanResult(scan, admission)


def walk_in_admit(
    *,
    device: Device,
    user,
    nonce: str,
    first_name: str,
    last_name: str,
    email: str,
    organisation: str = "",
    category: str,
    consent: bool,
    id_checked: bool,
    language: str = "fr",
) -> ScanResult:
    """Register a person at the desk and admit them, in one transaction: the place, the
    admission and the scan are all written, or none. The caller checks ``can_supervise``."""
    replayed = _replayed(device, nonce)
    if replayed is not None:
        return replayed
    _check_device(device)
    # No override for a walk-in: on a day the door is closed, nobody registers at the desk.
    door_check(event=device.event)
    if not id_checked:
        raise DomainError(errors.ID_NOT_CHECKED)
    try:
        with transaction.atomic():
            registration = registration_walk_in(
                event=device.event,
                first_name=first_name,
                last_name=last_name,
                email=email,
                organisation=organisation,
                category=category,
                consent=consent,
                language=language,
                actor=user,
            )
            scan, admission = _admit_at_desk(
                registration=registration, device=device, user=user, nonce=nonce
            )
    except IntegrityError:
        replayed = _replayed(device, nonce)
        if replayed is None:
            raise
        return replayed
    return ScanResult(scan, admission)
