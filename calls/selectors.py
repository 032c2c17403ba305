"""Reads for the calls' pages: keyword-only, joins done, bounded."""
