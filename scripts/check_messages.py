"""Fail when a French (or English) string is missing or the compiled catalogues are stale.

1. With gettext's xgettext available, extract the strings of the source afresh (into a
   scratch copy of the catalogues) so that a string added to the code but not to the
   catalogue is caught.
2. Every entry of locale/fr and locale/en must be translated and not fuzzy.
3. Each committed .mo must be what msgfmt makes of its .po.
Under CI=true, missing gettext tools are an error; elsewhere a warning.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
LANGS = ["fr", "en"]
DOMAINS = ["django", "djangojs"]  # templates and Python; the door's JavaScript
CI = os.environ.get("CI", "").lower() == "true"


def parse_po(path: Path) -> list[dict]:
    entries, current, field = [], {"flags": "", "msgid": "", "msgstr": "", "plural": False}, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if current["msgid"] or current["msgstr"]:
                entries.append(current)
            current, field = {"flags": "", "msgid": "", "msgstr": "", "plural": False}, None
            continue
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural"):
            current["plural"] = True
            field = None
        elif line.startswith("msgid "):
            field = "msgid"
            current["msgid"] += _unquote(line[6:])
        elif re.match(r"msgstr(\[\d+\])? ", line):
            field = "msgstr"
            value = _unquote(line.split(" ", 1)[1])
            if current["plural"] and "[" in line.split(" ", 1)[0]:
                current.setdefault("plurals", []).append(value)
            current["msgstr"] += value
        elif line.startswith('"') and field:
            value = _unquote(line)
            if field == "msgstr" and current.get("plurals"):
                current["plurals"][-1] += value
            current[field] += value
    return [e for e in entries if e["msgid"]]


def _unquote(text: str) -> str:
    return text.strip()[1:-1]


def main() -> int:
    problems: list[str] = []
    have_tools = shutil.which("xgettext") and shutil.which("msgfmt")
    if not have_tools:
        message = "gettext tools (xgettext, msgfmt) not found: install Debian's 'gettext'."
        if CI:
            print("ERROR:", message)
            return 1
        print("WARNING:", message, "Only the committed catalogues were checked.")
    catalogues = {
        (lang, domain): LOCALE / lang / "LC_MESSAGES" / f"{domain}.po"
        for lang in LANGS
        for domain in DOMAINS
    }
    with tempfile.TemporaryDirectory() as scratch:
        to_check = dict(catalogues)
        if have_tools:
            backup = Path(scratch) / "locale"
            shutil.copytree(LOCALE, backup)
            try:
                for domain in DOMAINS:
                    subprocess.run(
                        [
                            sys.executable,
                            "manage.py",
                            "makemessages",
                            "-d",
                            domain,
                            "--no-location",
                            "--ignore=.venv",
                            "--ignore=var",
                            "--ignore=bench",
                            "--ignore=node_modules",
                            "-v0",
                            *sum((["-l", lang] for lang in LANGS), []),
                        ],
                        cwd=ROOT,
                        check=True,
                        env={**os.environ, "DEBUG": "1"},
                    )
                fresh = Path(scratch) / "fresh"
                shutil.copytree(LOCALE, fresh)
                to_check = {
                    (lang, domain): fresh / lang / "LC_MESSAGES" / f"{domain}.po"
                    for lang in LANGS
                    for domain in DOMAINS
                }
            finally:
                shutil.rmtree(LOCALE)
                shutil.copytree(backup, LOCALE)
        for (lang, _domain), path in to_check.items():
            if not path.exists():
                problems.append(f"{lang}: no catalogue at {path}")
                continue
            for entry in parse_po(path):
                if "fuzzy" in entry["flags"]:
                    problems.append(f"{lang}: fuzzy: {entry['msgid'][:70]!r}")
                elif not entry["msgstr"] or any(not p for p in entry.get("plurals", [])):
                    problems.append(f"{lang}: missing translation: {entry['msgid'][:70]!r}")
        if have_tools:
            for (lang, domain), po in catalogues.items():
                mo = po.with_suffix(".mo")
                built = Path(scratch) / f"{lang}-{domain}.mo"
                compiled = subprocess.run(
                    ["msgfmt", "--check-format", "-o", built, po], capture_output=True, text=True
                )
                if compiled.returncode != 0:
                    problems.append(f"{lang}: msgfmt refuses the catalogue:\n{compiled.stderr}")
                elif not mo.exists() or mo.read_bytes() != built.read_bytes():
                    problems.append(f"{lang}: {mo.relative_to(ROOT)} is stale: run `make messages`")
    for problem in problems[:60]:
        print(problem)
    if problems:
        print(
            f"{len(problems)} translation problem(s). Run `make messages`, translate, and commit."
        )
        return 1
    print("Translations complete for", ", ".join(LANGS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
