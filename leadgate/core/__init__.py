"""Kernel shared by every domain: settings, clock, ids, money, errors, picklists."""
