"""Control key of Russian bank accounts (Bank of Russia rule).

Domain spec §6.2 (as in open-condo-software/condo ``bankAccount.utils.js``):
weights 7, 1, 3 repeated over 23 digits; settlement account: the last 3
digits of the BIC + the account; correspondent account: "0" + BIC digits
5–6 + the account; valid when Σ((w·d) mod 10) mod 10 = 0. A letter in the
6th position (clearing currency) stands for a digit: A B C E H K M P T X =
0 … 9.

G-QR2:

>>> is_valid_settlement('044525225', '40702810200000012345')
True
>>> is_valid_correspondent('044525225', '30101810400000000225')
True
>>> is_valid_settlement('044525225', '40702810900000012345')
False
"""
from __future__ import annotations

import re

__all__ = ['is_valid_settlement', 'is_valid_correspondent', 'checksum']

ACCOUNT = re.compile(r'^[1-9]\d{4}[0-9ABCEHKMPTX]\d{14}$')
BIC = re.compile(r'^\d{9}$')
LETTERS = 'ABCEHKMPTX'
WEIGHTS = (7, 1, 3)


def _digits(text: str) -> list[int]:
    return [LETTERS.index(c) if c in LETTERS else int(c) for c in text]


def checksum(control_string: str) -> int:
    """Σ((w·d) mod 10) mod 10 over the 23-character control string."""
    return sum((WEIGHTS[i % 3] * d) % 10
               for i, d in enumerate(_digits(control_string))) % 10


def is_valid_settlement(bic: str, account: str) -> bool:
    """Settlement account (р/с) of a payee at the bank with ``bic``."""
    if not BIC.match(bic) or not ACCOUNT.match(account):
        return False
    return checksum(bic[-3:] + account) == 0


def is_valid_correspondent(bic: str, account: str) -> bool:
    """Correspondent account (к/с) of the bank with ``bic``."""
    if not BIC.match(bic) or not ACCOUNT.match(account):
        return False
    return checksum('0' + bic[4:6] + account) == 0
