"""Applying, for a pole's managers: start (eligibility first), the draft, attachments,
submission and its receipt, withdrawal."""

urlpatterns: list = []
