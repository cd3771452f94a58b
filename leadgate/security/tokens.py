"""API token format. Tokens are 256-bit random secrets, so a fast SHA-256 is a safe
stored form (unlike passwords, they cannot be guessed from a dictionary)."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "lg_"


def generate_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
