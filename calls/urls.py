"""Three audiences, three namespaces: ``calls`` (public pages and applying, under
/appels/), ``calls_jury`` (/jury/), ``calls_manage`` (/gestion/appels/). Each view module
gives its own ``urlpatterns``."""

from calls.views import (
    applications_manage,
    apply,
    decide,
    jury,
    jury_manage,
    manage,
    public,
    results,
)

public_patterns = (public.urlpatterns + apply.urlpatterns + results.urlpatterns, "calls")
jury_patterns = (jury.urlpatterns, "calls_jury")
manage_patterns = (
    manage.urlpatterns
    + decide.urlpatterns
    + jury_manage.urlpatterns
    + applications_manage.urlpatterns,
    "calls_manage",
)
