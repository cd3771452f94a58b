"""Append-only change log: who changed what, when, from which channel, in the same transaction."""
