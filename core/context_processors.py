from django.conf import settings


def site(request):
    return {
        "SITE_URL": settings.SITE_URL,
        "OPERATOR": {
            "name": settings.PTCE_OPERATOR_NAME,
            "address": settings.PTCE_OPERATOR_ADDRESS,
            "email": settings.PTCE_CONTACT_EMAIL,
            "privacy_email": settings.PTCE_PRIVACY_EMAIL,
        },
    }
