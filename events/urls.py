from django.urls import path

from events.views import manage, public

public_patterns = (
    [
        # the list of events (the site's home page is portal:home)
        path("evenements/", public.home, name="home"),
        path("evenements/<slug:slug>/", public.event_detail, name="detail"),
        path("evenements/<slug:slug>/agenda.ics", public.event_ics_download, name="ics"),
        path("evenements/<slug:slug>/confidentialite/", public.privacy_notice, name="privacy"),
        path("evenements/<slug:slug>/inscription/", public.register, name="register"),
        path(
            "evenements/<slug:slug>/inscription/envoyee/",
            public.register_sent,
            name="register_sent",
        ),
        path("evenements/<slug:slug>/integrer/", public.register_embed, name="embed"),
        path(
            "evenements/<slug:slug>/integrer/envoyee/",
            public.register_embed_sent,
            name="embed_sent",
        ),
        path("inscription/<str:token>/", public.personal, name="personal"),
        path("inscription/<str:token>/corriger/", public.personal_correct, name="personal_correct"),
        path("inscription/<str:token>/annuler/", public.personal_cancel, name="personal_cancel"),
        path(
            "inscription/<str:token>/billet.pdf", public.personal_ticket_pdf, name="personal_ticket"
        ),
        path(
            "inscription/<str:token>/mes-donnees.json", public.personal_data, name="personal_data"
        ),
        path("inscription/<str:token>/effacer/", public.personal_erase, name="personal_erase"),
    ],
    "events",
)

manage_patterns = (
    [
        path("", manage.dashboard, name="dashboard"),
        path("evenements/<slug:slug>/", manage.event_overview, name="event"),
        path("evenements/<slug:slug>/modifier/", manage.event_edit, name="edit"),
        path("evenements/<slug:slug>/emails/", manage.event_outbox, name="outbox"),
        path("evenements/<slug:slug>/rappels/", manage.event_reminders, name="reminders"),
        path(
            "evenements/<slug:slug>/inscriptions/<int:pk>/annuler/",
            manage.registration_cancel,
            name="registration_cancel",
        ),
        path(
            "evenements/<slug:slug>/inscriptions.csv",
            manage.export_registrations_csv,
            name="export_csv",
        ),
        path(
            "evenements/<slug:slug>/inscriptions.xlsx",
            manage.export_registrations_xlsx,
            name="export_xlsx",
        ),
        path(
            "evenements/<slug:slug>/liste-securite.csv",
            manage.security_list_csv,
            name="security_csv",
        ),
        path(
            "evenements/<slug:slug>/liste-securite.pdf",
            manage.security_list_pdf_view,
            name="security_pdf",
        ),
        path("evenements/<slug:slug>/documents/", manage.documents, name="documents"),
        path(
            "evenements/<slug:slug>/documents/etat.json",
            manage.documents_status,
            name="documents_status",
        ),
        path(
            "evenements/<slug:slug>/documents/<slug:kind>/preparer/",
            manage.document_prepare,
            name="document_prepare",
        ),
        path(
            "evenements/<slug:slug>/documents/<slug:kind>/telecharger/",
            manage.document_download,
            name="document_download",
        ),
    ],
    "events_manage",
)
