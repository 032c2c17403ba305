from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.forms import AdminSignInForm
from accounts.models import User


class UserAdmin(DjangoUserAdmin):
    # the language of the emails sent to the account, next to its address
    fieldsets = [
        (name, {**options, "fields": (*options["fields"], "language")})
        if "email" in options["fields"]
        else (name, options)
        for name, options in DjangoUserAdmin.fieldsets
    ]


admin.site.register(User, UserAdmin)
# the admin's sign-in is throttled like ours
admin.site.login_form = AdminSignInForm
