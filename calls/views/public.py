"""The calls' public pages: the list, a call's page (countdown, specifications, FAQ,
documents), its laureates."""

urlpatterns: list = []
