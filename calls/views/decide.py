"""The call manager's decision pages: ranking per stage, passing files on, decisions,
minutes, notification and publication."""

urlpatterns: list = []
