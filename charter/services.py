"""Writes of the charter: sign online (checked by an email link), record a signature in
the room, withdraw; each signature and withdrawal enters the ledger.

One signature per organisation per version: the ledger head is locked before deciding
(every signature goes through it), the status re-checked, then written; a partial unique
constraint stands behind it.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter import errors, ledger
from charter.models import CharterVersion, LedgerEntry, LedgerHead, Signature
from core.audit import audit
from core.dates import long_date
from core.errors import DomainError
from core.input import clean_text, parse_id
from core.mail import email_queue
from registry.models import Network, Pole

LINK_SALT = "charter.signature"
LINK_MAX_AGE = timedelta(hours=48)
TEXT_MAX = 200
EMAIL_MAX = 254


# the codes of core.input.clean_text's refusals (its message is kept: it is more precise)
TEXT_ERRORS = {"control": errors.TEXT_CONTROL, "too_long": errors.TEXT_TOO_LONG}


def _clean(value: str, field: str, label, *, max_length: int = TEXT_MAX) -> str:
    """A text typed by a person, through the shared input layer (NFC; control and
    invisible format characters such as bidi overrides refused), then plain text only."""
    try:
        value = clean_text(value, max_length=max_length, required=True)
    except ValidationError as exc:
        if exc.code == "required":
            raise DomainError(errors.TEXT_REQUIRED, field=field, label=label) from exc
        error = TEXT_ERRORS.get(exc.code, errors.TEXT_CONTROL)
        raise DomainError(error, exc.messages[0], field=field) from exc
    if "<" in value or ">" in value:
        raise DomainError(errors.TEXT_MARKUP, field=field)
    return value


def _check_version(version: CharterVersion) -> None:
    current = CharterVersion.objects.in_force()
    if current is None or version.pk != current.pk:
        raise DomainError(errors.VERSION_NOT_CURRENT)


def _signer_kwargs(signer) -> dict:
    if isinstance(signer, Pole):
        return {"pole": signer, "network": None}
    if isinstance(signer, Network):
        return {"pole": None, "network": signer}
    raise DomainError(errors.INVALID_SIGNER)


def signature_request(
    *,
    version: CharterVersion,
    signer,
    name: str,
    mandate: str,
    email: str,
    actor,
    language: str = "fr",
    before_email=None,
) -> Signature:
    """A pole or network asks to sign: the signatory confirms with the link sent to
    their email; until then nothing is signed. The caller checks ``can_sign_for``.
    ``before_email(email)``, once everything typed is valid and just before the request is
    written, may refuse with a DomainError (the web form's limit on emails sent: a request
    refused for a typing error sends nothing and counts for nothing)."""
    from django.core.validators import validate_email

    _check_version(version)
    name = _clean(name, "name", _("signatory's name"))
    mandate = _clean(mandate, "mandate", _("signatory's mandate"))
    try:
        email = clean_text(email, max_length=EMAIL_MAX, required=True)
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(errors.INVALID_EMAIL, field="email") from exc
    kwargs = _signer_kwargs(signer)
    if Signature.objects.made().filter(version=version, **kwargs).exists():
        raise DomainError(errors.ALREADY_SIGNED)
    if before_email is not None:
        before_email(email)
    with transaction.atomic():
        signature = Signature.objects.create(
            version=version,
            signatory_name=name,
            signatory_mandate=mandate,
            signatory_email=email,
            channel=Signature.Channel.ONLINE,
            token_hash=secrets.token_urlsafe(16),  # a nonce: the link is signed with it
            requested_by=actor,
            **kwargs,
        )
        audit("charter.signature.requested", scope="charter", object_id=signature.pk, actor=actor)
        email_queue(
            kind="charter.signature.confirm",
            scope="charter",
            object_id=signature.pk,
            to=email,
            # the language the person signs in (the email says so in it)
            language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
        )
    return signature


def confirmation_token(signature: Signature) -> str:
    """The link's token: signed (it cannot be forged), dated (it expires after
    LINK_MAX_AGE), bound to this request's nonce, and good once (the nonce is cleared)."""
    return signing.dumps({"s": signature.pk, "k": signature.token_hash}, salt=LINK_SALT)


def _append(signature: Signature, action: str, head: LedgerHead, now) -> LedgerEntry:
    signer = signature.signer
    payload = {
        "signature": signature.pk,
        "action": action,
        "at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "version": signature.version.number,
        "kind": "pole" if signature.pole_id else "network",
        "organisation": signer.name,
        "organisation_id": signer.pk,
        "signatory": signature.signatory_name,
        "mandate": signature.signatory_mandate,
        "channel": signature.channel,
    }
    if action == LedgerEntry.WITHDRAWN:
        payload["reason"] = signature.withdrawal_reason
    digest = ledger.chain(head.digest, payload)
    entry = LedgerEntry.objects.create(
        sequence=head.sequence + 1,
        signature=signature,
        action=action,
        payload=payload,
        previous=head.digest,
        digest=digest,
    )
    head.sequence, head.digest = entry.sequence, digest
    head.save(update_fields=["sequence", "digest"])
    return entry


def _head() -> LedgerHead:
    LedgerHead.objects.get_or_create(pk=1)
    return LedgerHead.objects.select_for_update().get(pk=1)


def _sign_locked(signature: Signature, now) -> Signature:
    """Under the ledger's lock: one signature per organisation per version. Signs a
    pending signature (online) or a new one (in the room)."""
    taken = (
        Signature.objects.made()
        .of_signer(pole_id=signature.pole_id, network_id=signature.network_id)
        .filter(version_id=signature.version_id)
    )
    if signature.pk is not None:
        taken = taken.exclude(pk=signature.pk)
    if taken.exists():
        raise DomainError(errors.ALREADY_SIGNED)
    signature.status = Signature.Status.SIGNED
    signature.signed_at = now
    signature.token_hash = ""
    if signature.pk is None:
        signature.save()
    else:
        signature.save(update_fields=["status", "signed_at", "token_hash"])
    return signature


def _link_data(token: str) -> dict:
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise DomainError(errors.LINK_EXPIRED) from exc
    except signing.BadSignature as exc:
        raise DomainError(errors.LINK_INVALID) from exc
    if not isinstance(data, dict):
        raise DomainError(errors.LINK_INVALID)
    return data


def _pending_for_link(signature: Signature | None, data: dict) -> Signature:
    """The signature a link names, if it is still pending and the link's key is its own."""
    if signature is None:
        raise DomainError(errors.LINK_INVALID)
    if signature.status != Signature.Status.PENDING or not signature.token_hash:
        raise DomainError(errors.LINK_USED)
    if not secrets.compare_digest(str(data.get("k", "")), signature.token_hash):
        raise DomainError(errors.LINK_INVALID)
    return signature


def signature_link_check(*, token: str) -> Signature:
    """The pending signature a confirmation link is for (read only, nothing written), so
    that the page says who signs what before the button; DomainError as the confirmation
    would answer (invalid, expired, already used)."""
    data = _link_data(token)
    signature = (
        Signature.objects.select_related("version", "pole", "network")
        .filter(pk=parse_id(data.get("s")))
        .first()
    )
    return _pending_for_link(signature, data)


def signature_confirm(*, token: str) -> Signature:
    """The signatory opened the link of their email: the signature counts from now."""
    data = _link_data(token)
    now = timezone.now()
    try:
        with transaction.atomic():
            head = _head()
            signature = (
                Signature.objects.select_for_update(of=("self",))
                .select_related("version", "pole", "network")
                .filter(pk=data.get("s"))
                .first()
            )
            _pending_for_link(signature, data)
            _check_version(signature.version)
            _sign_locked(signature, now)
            _append(signature, LedgerEntry.SIGNED, head, now)
            audit("charter.signature.signed", scope="charter", object_id=signature.pk)
    except IntegrityError as exc:
        raise DomainError(errors.ALREADY_SIGNED) from exc
    return signature


def _check_event_day(event) -> None:
    today = timezone.localdate()
    first = timezone.localtime(event.starts_at).date()
    last = timezone.localtime(event.ends_at).date() if event.ends_at else first
    if not first <= today <= last:
        raise DomainError(errors.NOT_EVENT_DAY, date=long_date(first))


def ceremony_record(
    *, version: CharterVersion, event, signer, name: str, mandate: str, actor
) -> Signature:
    """A signature made in the room, recorded by an organiser of the event (the caller
    checks the role): it counts at once — on the event's day(s) only, so that no
    signature « in the room » is dated before or after the event."""
    _check_version(version)
    if event is not None:
        _check_event_day(event)
    name = _clean(name, "name", _("signatory's name"))
    mandate = _clean(mandate, "mandate", _("signatory's mandate"))
    kwargs = _signer_kwargs(signer)
    now = timezone.now()
    try:
        with transaction.atomic():
            head = _head()
            signature = Signature(
                version=version,
                signatory_name=name,
                signatory_mandate=mandate,
                channel=Signature.Channel.CEREMONY,
                event=event,
                requested_by=actor,
                **kwargs,
            )
            _sign_locked(signature, now)
            _append(signature, LedgerEntry.SIGNED, head, now)
            audit(
                "charter.signature.ceremony", scope="charter", object_id=signature.pk, actor=actor
            )
    except IntegrityError as exc:
        raise DomainError(errors.ALREADY_SIGNED) from exc
    return signature


def signature_withdraw(*, signature: Signature, reason: str, actor) -> Signature:
    """The organisation withdraws its signature: it stays on the list, marked withdrawn."""
    reason = _clean(reason, "reason", _("reason"))
    now = timezone.now()
    with transaction.atomic():
        head = _head()
        signature = (
            Signature.objects.select_for_update(of=("self",))
            .select_related("version", "pole", "network")
            .get(pk=signature.pk)
        )
        if not signature.is_in_force:
            raise DomainError(errors.NOT_SIGNED)
        signature.status = Signature.Status.WITHDRAWN
        signature.withdrawn_at = now
        signature.withdrawal_reason = reason
        signature.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
        _append(signature, LedgerEntry.WITHDRAWN, head, now)
        audit("charter.signature.withdrawn", scope="charter", object_id=signature.pk, actor=actor)
    return signature


def version_publish(
    *,
    number: int,
    title: str,
    body: str,
    published_on,
    summary: str = "",
    is_placeholder: bool = False,
    actor=None,
) -> CharterVersion:
    """Publish a new version; the signatories of the version in force until then are
    invited to sign this one (the public list shows which version each signed)."""
    title = " ".join((title or "").split())
    if not title or not (body or "").strip():
        raise DomainError(errors.VERSION_INCOMPLETE)
    if published_on > timezone.localdate():
        raise DomainError(errors.VERSION_FUTURE)
    latest = CharterVersion.objects.order_by("-number").first()
    if latest is not None and (number <= latest.number or published_on < latest.published_on):
        raise DomainError(errors.VERSION_ORDER, number=latest.number)
    with transaction.atomic():
        version = CharterVersion.objects.create(
            number=number,
            title=title,
            body=body,
            published_on=published_on,
            summary=summary,
            is_placeholder=is_placeholder,
        )
        audit("charter.version.published", scope="charter", object_id=version.pk, actor=actor)
        if latest is not None:
            for signature in Signature.objects.in_force().filter(version=latest):
                for address in _invitation_addresses(signature):
                    email_queue(
                        kind="charter.invitation",
                        scope="charter",
                        object_id=signature.pk,
                        to=address,
                        language="fr",
                        dedupe_key=f"charter.invitation.{version.pk}.{signature.pk}.{address}"[
                            :120
                        ],
                    )
    return version


def _invitation_addresses(signature: Signature) -> list[str]:
    """Who is told of the new version: the signatory, else the managers of the entry."""
    if signature.signatory_email:
        return [signature.signatory_email]
    signer = signature.signer
    return sorted({u.email for u in signer.managers.all() if u.email})
