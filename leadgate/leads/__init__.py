"""Leads: the quarantine where unqualified people and companies wait to be qualified
or disqualified."""
