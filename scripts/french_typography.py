"""French typography of the catalogues: a no-break space before « : ; ! ? » and inside
« guillemets », the apostrophe ’, and no name glued after « de » where the name may start
with a vowel or an article (« la fiche de Association JADES »).

    python3 scripts/french_typography.py          # fix locale/fr/LC_MESSAGES/*.po in place
    python3 scripts/french_typography.py --check  # list what is left, exit 1 if anything

Run it after adding or merging French strings, then `make messages` (or
/work/briefs/messages.sh) to re-wrap and compile. Only msgstr text changes: msgids,
comments and placeholders stay as they are. core/tests/test_french.py runs the check.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted((ROOT / "locale" / "fr" / "LC_MESSAGES").glob("*.po"))
NBSP = "\u00a0"

# (pattern, replacement) applied to every French msgstr
RULES = [
    (re.compile(r" ([:;!?»])"), NBSP + r"\1"),  # « texte : suite », « vraiment ? »
    (re.compile(r"« "), "«" + NBSP),
    (re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])"), "\u2019"),  # l'ESS → l’ESS
]
# Names glued after « de »: « de Association JADES », « de Le Pôle » are wrong whatever the
# name; the sentence names the entry instead.
REWRITES = {
    "la fiche de %(pole)s": "la fiche « %(pole)s »",
    "au nom de %(signer)s": "au nom de la structure « %(signer)s »",
    "QR code d’enregistrement de %(name)s": "QR code d’enregistrement de l’appareil « %(name)s »",
}
GLUED = re.compile(r"\bde %\((pole|signer|name|organisation|network)\)s")


def _unquote(line: str) -> str:
    return line[line.index('"') + 1 : line.rindex('"')]


def _entries(lines: list[str]):
    """(start, end, keyword) of each msgstr / msgstr[n] block (end exclusive)."""
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("msgstr"):
            keyword = line.split(" ", 1)[0]
            j = i + 1
            while j < len(lines) and lines[j].startswith('"'):
                j += 1
            yield i, j, keyword
            i = j
        else:
            i += 1


def fix_text(text: str) -> str:
    for old, new in REWRITES.items():
        text = text.replace(old, new)
    for pattern, replacement in RULES:
        text = pattern.sub(replacement, text)
    return text


def problems_of(text: str) -> list[str]:
    found = [p.pattern for p, _ in RULES if p.search(text)]
    if GLUED.search(text):
        found.append(GLUED.pattern)
    return found


def process(path: Path, *, fix: bool) -> list[str]:
    lines = path.read_text(encoding="utf-8").split("\n")
    out, problems, last = [], [], 0
    for start, end, keyword in _entries(lines):
        out.extend(lines[last:start])
        last = end
        block = lines[start:end]
        if any(line.startswith("#~") for line in block):
            out.extend(block)
            continue
        text = "".join(_unquote(line) for line in block)
        if not text or "Content-Type:" in text:  # empty, or the header
            out.extend(block)
            continue
        for problem in problems_of(text):
            problems.append(f"{path.name}:{start + 1}: {problem}: {text[:80]}")
        new = fix_text(text) if fix else text
        if new == text:
            out.extend(block)
        else:
            out.append(f'{keyword} ""')
            chunks = re.split(r"(?<=\\n)", new)
            out.extend(f'"{chunk}"' for chunk in chunks if chunk)
    out.extend(lines[last:])
    if fix:
        path.write_text("\n".join(out), encoding="utf-8")
    return problems


def main(argv: list[str]) -> int:
    check = "--check" in argv
    problems = []
    for path in CATALOGUES:
        problems += process(path, fix=not check)
    if check:
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
