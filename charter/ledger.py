"""The signatures' ledger: a hash chain anyone can check (``core.hashchain``)."""

from core.hashchain import GENESIS, canonical, chain, verify

__all__ = ["GENESIS", "canonical", "chain", "verify"]
