from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.forms import AdminSignInForm
from accounts.models import User

admin.site.register(User, UserAdmin)
# the admin's sign-in is throttled like ours
admin.site.login_form = AdminSignInForm
