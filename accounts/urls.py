from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.views import (
    PasswordChangeView,
    PasswordResetRequestView,
    PasswordSetDoneView,
    PasswordSetView,
    SignInView,
)

app_name = "accounts"
urlpatterns = [
    path("connexion/", SignInView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/changer/",
        PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "mot-de-passe/change/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("mot-de-passe/oublie/", PasswordResetRequestView.as_view(), name="password_reset"),
    path(
        "mot-de-passe/oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    # the link sent to a new account (a pole manager whose claim was approved) and the one
    # of a forgotten password (after « oublie/envoye/ », whose two words would fit it)
    path(
        "mot-de-passe/<uidb64>/<token>/",
        PasswordSetView.as_view(),
        name="password_set",
    ),
    path(
        "mot-de-passe/enregistre/",
        PasswordSetDoneView.as_view(),
        name="password_set_done",
    ),
]
