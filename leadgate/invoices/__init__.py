"""Invoices: see models.py and states.py for the lifecycle."""
