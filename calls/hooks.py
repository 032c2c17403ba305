"""What the calls add to the registry's pages (through its slots)."""


def register() -> None:
    """Fills ``registry.hooks.pole_facts`` (« candidat », « lauréat ») once the
    publication is built."""
