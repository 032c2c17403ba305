"""A hash chain anyone can check: the charter's signatures, the calls' logs.

Each entry's digest is SHA-256 of the previous digest and the entry's canonical JSON
(sorted keys, no spaces, UTF-8). The published digest is the last one: an exported list
whose chain recomputes to it was not altered, reordered or cut.
"""

import hashlib
import json

GENESIS = "0" * 64


def canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain(previous: str, payload: dict) -> str:
    return hashlib.sha256(previous.encode() + b"\n" + canonical(payload)).hexdigest()


def verify(entries: list[dict], digest: str | None = None) -> list[str]:
    """Problems found in an exported ledger (``[]``: it holds). Each entry is
    {"sequence", "payload", "previous", "digest"}."""
    problems = []
    previous = GENESIS
    for expected, entry in enumerate(entries, start=1):
        if entry.get("sequence") != expected:
            problems.append(
                f"entry {expected}: sequence {entry.get('sequence')} (cut or reordered)"
            )
        if entry.get("previous") != previous:
            problems.append(f"entry {expected}: does not follow the previous one")
        computed = chain(previous, entry.get("payload", {}))
        if computed != entry.get("digest"):
            problems.append(f"entry {expected}: altered (its digest does not match its content)")
        previous = entry.get("digest", "")
    if digest is not None and previous != digest:
        problems.append("the last digest is not the published one")
    return problems
