"""Contacts: the people Leadgate sells to, usually working for an account."""
