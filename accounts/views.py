from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from accounts.forms import SignInForm


class SignInView(auth_views.LoginView):
    """Django's sign-in, throttled; a locked attempt answers 429."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
        return response


def _next_path(value) -> str:
    """A page of this site to go on to (`next`), or "" — never another site."""
    value = str(value or "")
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts=None) and value[0] == "/":
        return value
    return ""


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
