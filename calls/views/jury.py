"""The jury's space: invitation, declaration of interests, assigned files, the scoring
grid, the discussion."""

urlpatterns: list = []
