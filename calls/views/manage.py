"""The call manager's set-up pages: the call, its form, stages and grids, the jury and its
conflicts, the assignment."""

urlpatterns: list = []
