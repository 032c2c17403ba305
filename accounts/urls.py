from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.views import PasswordSetDoneView, PasswordSetView, SignInView

app_name = "accounts"
urlpatterns = [
    path("connexion/", SignInView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    # the link sent to a new account (e.g. a pole manager whose claim was approved)
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
