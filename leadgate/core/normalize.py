"""Normalised forms of contact data, used for matching (kept beside the value as typed).

- email: trimmed and lower-cased;
- phone: E.164 when a country is known or the number carries its own `+` prefix,
  else the bare digits;
- company name: lower-case letters and digits only, legal suffixes dropped,
  so "ACME, Inc." and "Acme" share a key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers

_LEGAL_SUFFIXES = frozenset(
    {
        "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited",
        "llc", "llp", "lp", "plc", "gmbh", "ag", "kg", "sa", "sas", "sarl", "srl", "spa",
        "bv", "nv", "oy", "ab", "as", "aps", "pty", "pte", "kk", "sl", "se", "group",
    }
)  # fmt: skip

# Country names the phone normaliser understands besides ISO 3166 alpha-2 codes.
_COUNTRY_CODES = {
    "united states": "US", "usa": "US", "united states of america": "US",
    "united kingdom": "GB", "uk": "GB", "great britain": "GB", "england": "GB",
    "germany": "DE", "deutschland": "DE", "france": "FR", "spain": "ES", "italy": "IT",
    "netherlands": "NL", "belgium": "BE", "switzerland": "CH", "austria": "AT",
    "canada": "CA", "australia": "AU", "india": "IN", "japan": "JP", "china": "CN",
    "brazil": "BR", "mexico": "MX", "ireland": "IE", "sweden": "SE", "norway": "NO",
    "denmark": "DK", "finland": "FI", "poland": "PL", "portugal": "PT",
    "new zealand": "NZ", "singapore": "SG", "south africa": "ZA",
}  # fmt: skip

_KEY_LENGTH = 200

_PHONE_CHARS = re.compile(r"^\+?[0-9 ()./\-]+(\s*(x|ext\.?)\s*[0-9]{1,6})?$", re.IGNORECASE)


def email_key(email: str | None) -> str | None:
    if not email or not email.strip():
        return None
    return email.strip().lower()


def region_for(country: str | None) -> str | None:
    if not country:
        return None
    value = country.strip()
    if len(value) == 2 and value.isalpha():
        return value.upper()
    return _COUNTRY_CODES.get(value.lower())


def is_plausible_phone(raw: str) -> bool:
    """Digits with the usual separators, 7 to 15 digits (E.164's maximum)."""
    if not _PHONE_CHARS.match(raw.strip()):
        return False
    main: str = re.split(r"(?i)x|ext", raw)[0]
    digits = sum(1 for ch in main if ch.isdigit())
    return 7 <= digits <= 15


# North American numbers as files usually write them: "+1 415 555 0123", "+1 (415)
# 555-0123", or "(415) 555-0123" in the US or Canada. phonenumbers' E.164 form of these
# is "+1" and the ten digits (an area code starting 2-9 has no national prefix to strip,
# and ten digits is a possible length), given here without its parse, which costs about
# 60 µs a number, and the numbers of a file are mostly distinct.
_NANP = re.compile(
    r"(\+1[ .-]?)?(?:\(([2-9][0-9]{2})\)|([2-9][0-9]{2}))[ .-]?([0-9]{3})[ .-]?([0-9]{4})"
)
_NANP_REGIONS = frozenset({"US", "CA"})


def _north_american(raw: str, region: str | None) -> str | None:
    found = _NANP.fullmatch(raw)
    if found is None or (found.group(1) is None and region not in _NANP_REGIONS):
        return None
    _, bracketed, area, exchange, line = found.groups()
    return "+1" + (bracketed or area) + exchange + line


# Pure and costly (phonenumbers parses the number); an import normalises the same
# phone several times per row (stored key, each rule's blocking key, the score).
@lru_cache(maxsize=1 << 16)
def phone_key(phone: str | None, country: str | None = None) -> str | None:
    if not phone or not phone.strip():
        return None
    region = region_for(country)
    raw = phone.strip()
    quick = _north_american(raw, region)
    if quick is not None:
        return quick
    if raw.startswith("+") or region:
        try:
            parsed = phonenumbers.parse(raw, None if raw.startswith("+") else region)
        except phonenumbers.NumberParseException:
            parsed = None
        if parsed is not None and phonenumbers.is_possible_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    # The extension ("x12", "X 12", "ext. 12") is not part of the number, in any case.
    digits = "".join(ch for ch in re.split(r"(?i)x", raw)[0] if ch.isdigit())
    return digits or None


@lru_cache(maxsize=1 << 16)
def company_key(name: str | None) -> str | None:
    if not name or not name.strip():
        return None
    # casefold (ß → ss), then drop only the accents: letters outside ASCII (ø, æ, Cyrillic,
    # CJK) stay part of the key instead of vanishing, which made "Weiß" match "Wei".
    folded = unicodedata.normalize("NFKD", name.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    # "A/S", "S.A." and "& Co" are written with punctuation inside the suffix.
    for inside in ("/", "."):
        folded = folded.replace(inside, "")
    words = re.findall(r"[^\W_]+", folded.replace("&", " and "))
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    # Folding can lengthen a name (ß → ss, ligatures); the key columns hold 200 characters.
    key = "".join(words)[:_KEY_LENGTH]
    return key or None
