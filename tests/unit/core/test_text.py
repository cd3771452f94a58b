from __future__ import annotations

import pytest

from leadgate.core.text import with_article


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("open lead", "an open lead"),
        ("draft quote", "a draft quote"),
        ("Active flow", "an Active flow"),
    ],
)
def test_the_article_follows_the_first_sound_letter(phrase: str, expected: str) -> None:
    assert with_article(phrase) == expected
