"""Django admin of the door. Organisers who are not superusers see only what belongs to
the events they manage (rows and list filters alike)."""

from django.contrib import admin

from checkin.models import Admission, Device, DoorRole, Scan
from core.admin import ReadOnlyAdmin
from events.admin import ManagedEventsMixin


@admin.register(DoorRole)
class DoorRoleAdmin(ManagedEventsMixin, admin.ModelAdmin):
    list_display = ["user", "role", "event"]
    list_filter = ["event", "role"]


@admin.register(Device)
class DeviceAdmin(ManagedEventsMixin, admin.ModelAdmin):
    """Devices are created, enrolled and revoked through checkin.services."""

    list_display = ["name", "event", "enrolled_at", "revoked_at", "last_seen_at"]
    list_filter = ["event"]
    readonly_fields = ["event", "name", "created_by", "enrolled_at", "revoked_at", "last_seen_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Admission)
class AdmissionAdmin(ManagedEventsMixin, ReadOnlyAdmin):
    list_display = ["registration", "event", "device", "checked_by", "scanned_at"]
    list_filter = ["event", "device"]


@admin.register(Scan)
class ScanAdmin(ManagedEventsMixin, ReadOnlyAdmin):
    list_display = ["scanned_at", "device", "user", "verdict", "conflict", "offline"]
    list_filter = ["event", "verdict", "conflict", "device"]
