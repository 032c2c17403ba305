"""Named predicates: who may do what with the registry."""


def can_import(user) -> bool:
    """Staff allowed to add poles and organisations (the platform's editors)."""
    return (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perms(["registry.add_organisation", "registry.add_pole"])
    )


def can_moderate(user) -> bool:
    """Editors: decide claims and suggestions, see likely duplicates, edit any pole."""
    return (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("registry.change_pole")
    )


def can_edit_pole(user, pole) -> bool:
    """A pole's own managers (their claim was approved) and the editors."""
    if not user.is_authenticated or not user.is_active:
        return False
    return can_moderate(user) or pole.managers.filter(pk=user.pk).exists()
