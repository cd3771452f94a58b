"""Rendering of quotes, orders and invoices to PDF (fpdf2, embedded DejaVu font)."""
