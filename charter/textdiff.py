"""What changed between two versions of the charter, as a reader sees it.

Both texts are rendered (CommonMark) and cut into blocks — headings, paragraphs, list
items — of plain text: no Markdown marker (« # », « * », « 1. ») is ever shown. Blocks
are compared in order; a block that was only reworded is shown once, its words marked
removed (<del>) or added (<ins>).
"""

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False})
# Two blocks at least this similar are one block reworded, not one removed and one added.
REWORDED = 0.5


@dataclass
class Block:
    kind: str  # heading | paragraph | item
    text: str
    marker: str = ""  # « 3. » for an item of a numbered list, « • » for another item
    item: int = 0  # which list item (a loose item has several paragraphs: one block)


@dataclass
class Change:
    status: str  # same | added | removed | changed
    kind: str
    marker: str
    html: SafeString = field(default_factory=SafeString)


def blocks(text: str) -> list[Block]:
    """The blocks of a Markdown text, as plain text."""
    found: list[Block] = []
    stack: list = []
    for token in MARKDOWN.parse(text or ""):
        if token.nesting == 1:
            stack.append(token)
        elif token.nesting == -1:
            if stack:
                stack.pop()
        elif token.type == "inline":
            words = _plain(token)
            if not words:
                continue
            item = next((t for t in reversed(stack) if t.type == "list_item_open"), None)
            if item is not None:
                ordered = any(t.type == "ordered_list_open" for t in stack)
                marker = f"{item.info}." if ordered and item.info else "•"
                if found and found[-1].kind == "item" and found[-1].item == id(item):
                    found[-1].text += " " + words
                    continue
                found.append(Block("item", words, marker, id(item)))
            elif any(t.type == "heading_open" for t in stack):
                found.append(Block("heading", words))
            else:
                found.append(Block("paragraph", words))
        elif token.type in ("fence", "code_block") and token.content.strip():
            found.append(Block("paragraph", " ".join(token.content.split())))
    return found


def _plain(inline) -> str:
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return " ".join("".join(parts).split())


def _safe(html: str) -> SafeString:
    """HTML built here from escaped text and our own <ins>/<del>/<span> tags only."""
    return mark_safe(html)  # noqa: S308 - every piece of text was escaped by this module


def _mark(tag: str, words: list[str]) -> str:
    label = _("added:") if tag == "ins" else _("removed:")
    return (
        f'<{tag}><span class="visually-hidden">{escape(label)} </span>'
        f"{escape(' '.join(words))}</{tag}>"
    )


def _words_diff(before: str, after: str) -> str:
    old, new = before.split(), after.split()
    out = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape(" ".join(old[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(_mark("del", old[i1:i2]))
        if op in ("insert", "replace"):
            out.append(_mark("ins", new[j1:j2]))
    return " ".join(out)


def compare(before: str, after: str) -> list[Change]:
    """The blocks of ``after`` with what was removed from ``before`` in its place."""
    old, new = blocks(before), blocks(after)
    keys = lambda bs: [(b.kind, b.marker, b.text) for b in bs]  # noqa: E731
    changes: list[Change] = []
    matcher = SequenceMatcher(None, keys(old), keys(new), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            changes += [Change("same", b.kind, b.marker, _safe(escape(b.text))) for b in new[j1:j2]]
            continue
        removed, added = old[i1:i2], new[j1:j2]
        # reworded blocks, paired in order while they look alike
        while removed and added:
            a, b = removed[0], added[0]
            if SequenceMatcher(None, a.text.split(), b.text.split()).ratio() < REWORDED:
                break
            changes.append(Change("changed", b.kind, b.marker, _safe(_words_diff(a.text, b.text))))
            removed, added = removed[1:], added[1:]
        changes += [
            Change("removed", b.kind, b.marker, _safe(_mark("del", b.text.split())))
            for b in removed
        ]
        changes += [
            Change("added", b.kind, b.marker, _safe(_mark("ins", b.text.split()))) for b in added
        ]
    return changes
