import math

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import ngettext
from django.views import i18n

from accounts import services
from accounts.forms import QueuedPasswordResetForm, SignInForm, ThrottledPasswordChangeForm
from core import throttle


def too_many(response, seconds: int):
    """The response as a refusal to try again yet: 429, with Retry-After."""
    response.status_code = 429
    response["Retry-After"] = str(seconds)
    return response


class ThrottledFormViewMixin:
    """A form view whose form is refused while its account or address is locked
    (``form.throttled``): the page answers 429 with Retry-After."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttled:
            too_many(response, max(1, int(form.locked_seconds)))
        return response


class SignInView(ThrottledFormViewMixin, auth_views.LoginView):
    """Django's sign-in, throttled; a locked attempt answers 429."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm


class PasswordChangeView(ThrottledFormViewMixin, auth_views.PasswordChangeView):
    """Django's password change; a wrong current password counts as a failed sign-in
    (the same locks), a locked attempt answers 429 with Retry-After."""

    template_name = "accounts/password_change.html"
    form_class = ThrottledPasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


def _next_path(value) -> str:
    """A page of this site to go on to (`next`), or "" — never another site."""
    value = str(value or "")
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts=None) and value[0] == "/":
        return value
    return ""


def set_language(request):
    """Django's ``set_language``; the language it accepted (the one it put in the cookie:
    a site's language, nothing otherwise) is also kept as a signed-in account's, for the
    emails sent to it."""
    response = i18n.set_language(request)
    cookie = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie is not None and cookie.value and request.user.is_authenticated:
        services.user_language_set(user=request.user, language=cookie.value)
    return response


NEXT_KEY = "accounts.password_set.next"


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The one-time link to choose a password. Its `next` (e.g. signing the charter, for a
    pole manager whose claim was approved) survives the redirect that hides the token, and
    the page after it offers to sign in and go on there."""

    template_name = "accounts/password_set.html"
    success_url = reverse_lazy("accounts:password_set_done")

    def dispatch(self, request, *args, **kwargs):
        wanted = _next_path(request.GET.get("next"))
        if wanted:
            request.session[NEXT_KEY] = wanted
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        wanted = _next_path(self.request.session.pop(NEXT_KEY, ""))
        url = str(super().get_success_url())
        return f"{url}?{urlencode({'next': wanted})}" if wanted else url


class PasswordSetDoneView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_set_done.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = _next_path(self.request.GET.get("next"))
        return context


# Password reset emails asked for: from one connection, and to one mailbox.
RESET_PER_IP = throttle.Limit("accounts.password_reset.ip", 10, 3600)
RESET_PER_ADDRESS = throttle.Limit("accounts.password_reset.address", 3, 3600)


class PasswordResetRequestView(auth_views.PasswordResetView):
    """Django's « forgotten password », throttled, through the outbox. The answer is the
    same whether an account uses the address or not (nobody learns who has an account)."""

    template_name = "accounts/password_reset.html"
    form_class = QueuedPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        wait = throttle.attempt(RESET_PER_IP, throttle.client_ip(self.request))
        if wait is None:
            wait = throttle.attempt(RESET_PER_ADDRESS, throttle.mailbox(form.cleaned_data["email"]))
        if wait is not None:
            minutes = max(1, math.ceil(wait / 60))
            form.add_error(
                None,
                ngettext(
                    "Too many password emails were asked for in the last hour. Please try "
                    "again in %(minutes)d minute.",
                    "Too many password emails were asked for in the last hour. Please try "
                    "again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
            )
            return too_many(self.form_invalid(form), wait)
        form.save()
        return redirect(self.get_success_url())
