"""Duplicate rules, indexed detection (match keys), scans and merges of leads,
contacts and accounts."""
