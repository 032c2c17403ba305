"""Claims (asking to manage a pole's entry) and suggestions of corrections: sent by
anyone, decided by an editor."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit
from core.errors import DomainError
from registry import errors
from registry.models import (
    Pole,
    PoleClaim,
    Suggestion,
)
from registry.services.checks import clean_text

# --- claims and suggestions ----------------------------------------------------------------


def _clean_contact(*, name: str, email: str, required: bool = True) -> tuple[str, str]:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    name = clean_text(name, "name", required=required)
    email = (email or "").strip()
    if email or required:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise DomainError(errors.INVALID_EMAIL, field="email") from exc
        if not email.isascii():
            # "admın@…" (dotless i) would match "admin@…" case-insensitively
            raise DomainError(
                errors.INVALID_EMAIL,
                _("Enter the email address in plain Latin letters (no accents)."),
                field="email",
            )
    return name, email


def local_path(value) -> str:
    """A path of this site to come back to (« /charte/signer/ »), or "" for anything else:
    never another site (« //ailleurs.example », « https://… », « /\\ailleurs »)."""
    value = str(value or "").strip()
    if (
        not value.startswith("/")
        or value.startswith(("//", "/\\"))
        or len(value) > 200
        or any(c.isspace() or ord(c) < 32 or c == "\\" for c in value)
    ):
        return ""
    return value


def claim_submit(
    *, pole: Pole, name: str, email: str, role: str, message: str = "", return_to: str = ""
) -> PoleClaim:
    """Someone asks to manage a pole's entry; an editor will approve or reject it.
    ``return_to``: the page of this site they came from (signing the charter), where the
    approval email leads them back.

    The answer is the same whether this address already has a request waiting for this
    pole or not (the form must not tell who asked): a repeated request is not recorded
    twice, the one waiting is returned."""
    name, email = _clean_contact(name=name, email=email)
    role = clean_text(role, "role", required=True)
    message = clean_text(message, "message")
    return_to = local_path(return_to)
    try:
        with transaction.atomic():
            claim = PoleClaim.objects.create(
                pole=pole, name=name, email=email, role=role, message=message, return_to=return_to
            )
            audit("registry.claim.submitted", scope=f"registry.pole:{pole.pk}", object_id=claim.pk)
    except IntegrityError:
        waiting = PoleClaim.objects.filter(
            pole=pole, email=email, status=PoleClaim.Status.PENDING
        ).first()
        if waiting is None:  # decided in between: this one is new after all
            return claim_submit(
                pole=pole,
                name=name,
                email=email,
                role=role,
                message=message,
                return_to=return_to,
            )
        return waiting
    return claim


def claim_decide(*, claim: PoleClaim, approve: bool, actor) -> PoleClaim:
    """Approve (the person becomes a manager of the pole; an account is made for their
    email when they have none, with a link to choose a password) or reject a claim."""
    from django.contrib.auth import get_user_model

    from core.mail import email_queue

    with transaction.atomic():
        claim = PoleClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != PoleClaim.Status.PENDING:
            raise DomainError(errors.CLAIM_DECIDED)
        claim.status = PoleClaim.Status.APPROVED if approve else PoleClaim.Status.REJECTED
        claim.decided_by, claim.decided_at = actor, timezone.now()
        if approve:
            users = get_user_model().objects
            user = users.filter(email__iexact=claim.email).order_by("pk").first()
            if user is not None and (user.is_staff or user.is_superuser or not user.is_active):
                raise DomainError(errors.CLAIM_PRIVILEGED_ACCOUNT)
            if user is None:
                username, n = claim.email.casefold()[:140], 1
                while users.filter(username=username).exists():
                    n += 1
                    username = f"{claim.email.casefold()[:140]}-{n}"
                user = users.create_user(username=username, email=claim.email, password=None)
                user.first_name = claim.name[:150]
                user.save(update_fields=["first_name"])
                claim.new_account = True
            claim.user = user
            claim.pole.managers.add(user)
        claim.save(update_fields=["status", "decided_by", "decided_at", "user", "new_account"])
        audit(
            f"registry.claim.{claim.status}",
            scope=f"registry.pole:{claim.pole_id}",
            object_id=claim.pk,
            actor=actor,
        )
        email_queue(
            kind=f"registry.claim.{claim.status}",
            scope=f"registry.pole:{claim.pole_id}",
            object_id=claim.pk,
            # an existing account is written to at its own address, never the one typed
            to=claim.user.email if claim.user is not None else claim.email,
            language="fr",
            dedupe_key=f"registry.claim.{claim.pk}",
        )
    return claim


def suggestion_submit(*, pole: Pole, name: str, email: str, message: str) -> Suggestion:
    name, email = _clean_contact(name=name, email=email, required=False)
    message = clean_text(message, "message", required=True)
    if len(message) < 10:
        raise DomainError(errors.MESSAGE_TOO_SHORT, field="message")
    with transaction.atomic():
        suggestion = Suggestion.objects.create(pole=pole, name=name, email=email, message=message)
        audit(
            "registry.suggestion.submitted",
            scope=f"registry.pole:{pole.pk}",
            object_id=suggestion.pk,
        )
    return suggestion


def suggestion_decide(*, suggestion: Suggestion, accept: bool, actor) -> Suggestion:
    with transaction.atomic():
        suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if suggestion.status != Suggestion.Status.PENDING:
            raise DomainError(errors.SUGGESTION_DECIDED)
        suggestion.status = Suggestion.Status.ACCEPTED if accept else Suggestion.Status.REJECTED
        suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
        suggestion.save(update_fields=["status", "decided_by", "decided_at"])
        audit(
            f"registry.suggestion.{suggestion.status}",
            scope=f"registry.pole:{suggestion.pole_id}",
            object_id=suggestion.pk,
            actor=actor,
        )
    return suggestion
