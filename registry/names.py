"""Names compared for likely duplicates: a normalised key and its block (prefix).

``name_key`` is the name folded (case and accents aside), its punctuation turned into
spaces, without the words every such name has (legal forms, articles, « pôle »): « Pôle
Sud-Archer » and « Pole Sud Archer » both give « sud archer ». ``name_block`` is the key's
first letters, an indexed column: two names are only compared when they share a block in
the same commune, so that the moderation page reads candidates from an index instead of
comparing every pair.
"""

import re

from core.text import fold

BLOCK_LENGTH = 4
KEY_LENGTH = 200

# words that say nothing of which organisation or pole a name is
COMMON_WORDS = frozenset(
    " ".join(
        [
            "a au aux d de des du en et l la le les sur",
            "asso assoc association associations cooperative cooperatives coop",
            "eurl gie sa sarl sas sasu sci scic scop ste societe",
            "pole poles ptce",
        ]
    ).split(" ")
)

_NOT_WORD = re.compile(r"[\W_]+")


def name_key(name: str) -> str:
    words = [w for w in _NOT_WORD.split(fold(name or "")) if w]
    kept = [w for w in words if w not in COMMON_WORDS] or words
    return " ".join(kept)[:KEY_LENGTH]


def name_block(key: str) -> str:
    return key.replace(" ", "")[:BLOCK_LENGTH]
