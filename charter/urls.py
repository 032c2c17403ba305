from django.urls import path

from charter.views import manage, public

public_patterns = (
    [
        path("", public.charter_home, name="home"),
        path("versions/<int:number>/", public.version_detail, name="version"),
        path("versions/<int:old>/comparer/<int:new>/", public.version_diff, name="diff"),
        path("signer/", public.sign, name="sign"),
        path("confirmer/<str:token>/", public.confirm, name="confirm"),
        path("signataires/", public.signatures, name="signatures"),
        path("signataires.csv", public.signatures_csv, name="signatures_csv"),
        path("signataires.json", public.signatures_json, name="signatures_json"),
        path("signataires/<int:pk>/", public.signature_detail, name="signature"),
        path("signataires/<int:pk>/retirer/", public.withdraw, name="withdraw"),
        path("registre.json", public.ledger_json, name="ledger"),
        path("projection/<slug:slug>/", public.projection, name="projection"),
        path("projection/<slug:slug>/etat.json", public.projection_state, name="projection_state"),
    ],
    "charter",
)

manage_patterns = (
    [path("ceremonie/<slug:slug>/", manage.ceremony, name="ceremony")],
    "charter_manage",
)
