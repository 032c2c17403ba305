"""Named predicates: who may do what with the registry."""


def can_import(user) -> bool:
    """Staff allowed to add poles and organisations (the platform's editors)."""
    return (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perms(["registry.add_organisation", "registry.add_pole"])
    )
