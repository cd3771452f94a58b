"""Small helpers for messages people read."""

from __future__ import annotations


def with_article(phrase: str) -> str:
    """ "open lead" → "an open lead", "draft quote" → "a draft quote"."""
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"
