"""Web pages for salespeople (Jinja2 + HTMX); the full UI arrives with the web issue."""
