"""A valid organisations file of any size, for the import's limits (test and bench)."""

from stdnum import luhn

from registry import geo

HEADER = "name;siret;category;ess_status;commune_code;legal_form;website;pole;role\n"


def siret(n: int) -> str:
    """A valid SIRET (its SIREN and the whole number pass Luhn), different for each n."""
    siren = f"{100_000_000 + n * 7:09d}"[:8]
    siren += luhn.calc_check_digit(siren)
    body = siren + f"{n % 10_000:04d}"
    return body + luhn.calc_check_digit(body)


def organisations_csv(rows: int, *, pole: str, row_bytes: int = 0) -> bytes:
    """``rows`` organisations (every fifth without a SIRET, found by its name in its
    commune), members of ``pole``; each row padded to about ``row_bytes`` bytes."""
    communes = [code for code in geo.communes() if code.startswith("26")][:200]
    lines = [HEADER]
    for n in range(rows):
        name = f"Structure coopérative n°{n}"
        line = ";".join(
            [
                name,
                siret(n) if n % 5 else "",
                "ess_enterprise" if n % 3 else "enterprise",
                "cooperative" if n % 3 else "not_ess",
                communes[n % len(communes)],
                "Société coopérative d’intérêt collectif",
                f"https://structure-{n}.example.org/",
                pole,
                "member",
            ]
        )
        if row_bytes and len(line.encode()) + 1 < row_bytes:
            pad = row_bytes - len(line.encode()) - 1
            line = line.replace(
                "https://", f"https://{'w' * min(pad, 60)}." if pad > 0 else "https://", 1
            )
            pad = row_bytes - len(line.encode()) - 1
            if pad > 0:
                line = line.replace(name, name + " " + "x" * min(pad, 150), 1)
        lines.append(line + "\n")
    return "".join(lines).encode()
