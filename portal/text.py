"""Vietnamese text helpers: NFC normalisation, diacritic folding for search, and name sort keys.

Pure Python, no Django: search folds both the stored text and the query the same way, so
"Nguyen Anh Tuan" finds "Nguyễn Anh Tuấn" on PostgreSQL and SQLite alike.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(text: str | None) -> str:
    """Return text in Unicode NFC, control characters dropped, white space collapsed and trimmed."""
    if not text:
        return ""
    text = "".join(ch for ch in text if ch.isspace() or unicodedata.category(ch) != "Cc")
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str | None) -> str:
    """Lower-case text with every diacritic removed and đ/Đ turned into d (for search)."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", nfc(text).replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).casefold()


# The longest search text the portal reads; the rest of a longer query is ignored (and the page says so).
SEARCH_MAX_LENGTH = 100


def search_terms(query: str | None, max_length: int = SEARCH_MAX_LENGTH) -> list[str]:
    """Split a user's query into folded words, ignoring anything past max_length characters."""
    return [word for word in fold((query or "")[:max_length]).split(" ") if word]


# Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y,
# with the foreign letters f j w z placed where the Latin alphabet puts them.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_BASE_LETTER = {"ă": "ă", "â": "â", "đ": "đ", "ê": "ê", "ô": "ô", "ơ": "ơ", "ư": "ư"}
# Tone order used by Vietnamese dictionaries: level, grave, hook, tilde, acute, dot below.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_SHAPE_MARKS = {"\u0306": "ă", "\u0302": "^", "\u031b": "ơ"}


def _letter_and_tone(ch: str) -> tuple[str, int]:
    """Split one character into its Vietnamese base letter and its tone number (0 = none)."""
    tone = 0
    base = ""
    mods = []
    for part in unicodedata.normalize("NFD", ch.lower()):
        if part in _TONES:
            tone = _TONES[part]
        elif unicodedata.combining(part):
            mods.append(part)
        else:
            base = part
    if base == "a" and "\u0306" in mods:
        base = "ă"
    elif base in "aeo" and "\u0302" in mods:
        base = {"a": "â", "e": "ê", "o": "ô"}[base]
    elif base in "ou" and "\u031b" in mods:
        base = {"o": "ơ", "u": "ư"}[base]
    return _BASE_LETTER.get(base, base), tone


def _encode(words: list[str]) -> tuple[str, str]:
    """Encode words as two-digit letter codes ("00" between words) and a tone string.

    Only digits are used, so the key sorts the same under any database collation.
    """
    letters: list[str] = []
    tones: list[str] = []
    for word in words:
        for ch in word:
            base, tone = _letter_and_tone(ch)
            position = _ALPHABET.find(base)
            if position >= 0:
                letters.append(f"{position + 20:02d}")
            elif base.isdigit():
                letters.append(f"1{base}")  # digits (10-19) sort before letters (20-52)
            else:
                continue
            tones.append(str(tone))
        letters.append("00")
    return "".join(letters), "".join(tones)


def split_full_name(full_name: str) -> tuple[str, str, str]:
    """Split "Nguyễn Thị Minh Khai" into family "Nguyễn", middle "Thị Minh", given "Khai"."""
    words = nfc(full_name).split(" ")
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


def person_sort_key(full_name: str) -> str:
    """Sort key ordering people the Vietnamese way: given name, then family and middle names.

    Letters compare first over the whole key (ă after a, đ after d), tones only break ties.
    """
    family, middle, given = split_full_name(full_name)
    words = [given, family, *middle.split(" ")] if middle else [given, family]
    letters, tones = _encode([w for w in words if w])
    return (letters + "9" + tones)[:255]


def text_sort_key(text: str) -> str:
    """Sort key ordering any text (a unit's name, say) in Vietnamese alphabetical order."""
    letters, tones = _encode(nfc(text).split(" "))
    return (letters + "9" + tones)[:255]
