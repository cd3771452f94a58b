"""Accounts: the companies Leadgate sells to (and competitors, partners, …)."""
