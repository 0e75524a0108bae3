"""Checksums and measures that tell a real identifier from a number that merely looks like one."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check every payment card number carries."""
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def cn_id_ok(number: str) -> bool:
    """A PRC resident identity number: 18 characters, a real birth date, ISO 7064 MOD 11-2."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    check = number[17].upper()
    if check not in _ID_CHECK:
        return False
    if number[0] not in "12345678":  # first digit of the region code
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if not 1900 <= born.year <= 2100:
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == check


def shannon_entropy(text: str) -> float:
    """Bits per character; random keys sit above ~3.5, words and ids below."""
    if not text:
        return 0.0
    counts = Counter(text)
    size = len(text)
    return -sum(n / size * math.log2(n / size) for n in counts.values())


def char_classes(text: str) -> int:
    """How many of lower, upper, digit, other appear: keys mix them, words do not."""
    return sum(
        (
            any(c.islower() for c in text),
            any(c.isupper() for c in text),
            any(c.isdigit() for c in text),
            any(not c.isalnum() for c in text),
        )
    )
