"""Users, roles, API tokens and password login; the one permission engine that every
read and write passes through."""
