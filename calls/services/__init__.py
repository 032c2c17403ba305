"""Writes: each service owns its transaction, locks the call's row (or the parent row of
what is scarce), re-checks, writes, and appends to the call's log (``calls.ledger``).

Modules by area: ``calls`` (the call, its form, stages and grids), ``applications``
(drafts, attachments, submission, withdrawal, reopening), ``jury`` (invitations,
declarations, conflicts, assignment), ``reviews`` (scores, discussion), ``decisions``
(ranking, stage passing, decisions, publication).
"""
