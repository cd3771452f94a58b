"""Leadgate: an open-source CRM that carries a business from first contact to paid invoice."""

__version__ = "0.1.0"
