"""Validators for the national identifiers an application form asks for.

- 居民身份证号码 (GB 11643-1999, "citizen identification number"): 17 digits and an
  ISO 7064 MOD 11-2 check character; the first six digits are the address code
  (GB/T 2260), digits 7–14 the date of birth.
- 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character alphabet (no
  I, O, S, V, Z) with a MOD 31 check character.
- Mainland mobile numbers: 11 digits, 13x–19x.

Each validator returns the normalised value (upper case, no spaces, half-width) or
raises ``django.core.exceptions.ValidationError`` whose message names the field and
says what is wrong; the error ``code`` tells a program the same (``length``,
``characters``, ``checksum``, ``birth_date``, ``region``, ``prefix``,
``registration_authority``, ``category``).
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Province-level address codes (GB/T 2260) that appear as the first two digits of a
# citizen identification number. 71 is Taiwan in GB/T 2260; 81, 82 and 83 are the
# address codes printed on residence permits of Hong Kong, Macao and Taiwan residents
# (港澳台居民居住证, 2018), whose numbers follow GB 11643. 91 ("abroad" in old
# tables) is deliberately absent: no 居民身份证 carries it, and the 2023 foreigners'
# permanent residence card starting with 9 uses a different layout.
PROVINCE_CODES = frozenset(
    {
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
        83,
    }
)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# 登记管理部门代码: GB 32100 lists 1 (机构编制), 5 (民政), 9 (工商), Y (其他); later
# assignments added 2–4, 6–8 (外交, 司法行政, 文化, 旅游, 宗教, 工会), A (军队) and
# N (农业农村). Every organisation category code assigned so far is a digit 1–9.
CREDIT_AUTHORITIES = frozenset("123456789ANY")
CREDIT_CATEGORIES = frozenset("123456789")

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# Full-width ASCII (what Chinese input methods type) → half-width; ideographic space.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_SEPARATORS = re.compile(r"[\s\-]+")
# Anything longer is refused before it is looked at character by character.
_MAX_INPUT = 64


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def credit_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a credit code."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def _text(value, label: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValidationError(_("“%(label)s” must be text.") % {"label": label}, code="characters")
    if len(value) > _MAX_INPUT * 2:
        raise ValidationError(_("“%(label)s” is far too long.") % {"label": label}, code="length")
    return _SEPARATORS.sub("", value.translate(_HALF_WIDTH))


def _refuse(message: str, label: str, error_code: str, **params) -> ValidationError:
    return ValidationError(message % {"label": label, **params}, code=error_code)


def validate_resident_id(value, *, label: str | None = None, today: dt.date | None = None) -> str:
    """Check a 居民身份证号码 and return it with an upper-case X.

    ``today`` (default: the local date) bounds the date of birth; ``label`` names the
    field in the message (default "resident ID number").
    """
    label = label or _("Resident ID number")
    number = _text(value, label).upper()
    if len(number) != 18:
        raise _refuse(
            _("“%(label)s” must have 18 characters; this one has %(count)d."),
            label,
            "length",
            count=len(number),
        )
    if not (number[:17].isascii() and number[:17].isdigit()) or number[17] not in ID_CHECK_CHARS:
        raise _refuse(
            _("“%(label)s” may contain only digits, and an X as the last character."),
            label,
            "characters",
        )
    if int(number[:2]) not in PROVINCE_CODES:
        raise _refuse(
            _("“%(label)s” starts with %(code)s, which is not a province-level region code."),
            label,
            "region",
            code=number[:2],
        )
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise _refuse(
            _("“%(label)s” contains the birth date %(date)s, which does not exist."),
            label,
            "birth_date",
            date=number[6:14],
        ) from None
    if today is None:
        from tongban.core import clock
        from tongban.core.clock import local_date

        today = local_date(clock.now())
    if born > today or born.year < 1900:
        raise _refuse(
            _("“%(label)s” contains the birth date %(date)s, which is not possible."),
            label,
            "birth_date",
            date=born.isoformat(),
        )
    if id_check_char(number[:17]) != number[17]:
        raise _refuse(
            _("“%(label)s”: the check digit is wrong; please check the number."),
            label,
            "checksum",
        )
    return number


def validate_credit_code(value, *, label: str | None = None) -> str:
    """Check a 统一社会信用代码 (GB 32100-2015) and return it in upper case."""
    label = label or _("Unified social credit code")
    code = _text(value, label).upper()
    if len(code) != 18:
        raise _refuse(
            _("“%(label)s” must have 18 characters; this one has %(count)d."),
            label,
            "length",
            count=len(code),
        )
    if any(c not in CREDIT_ALPHABET for c in code):
        raise _refuse(
            _(
                "“%(label)s” may contain only digits and the capital letters A–Y "
                "except I, O, S, V and Z."
            ),
            label,
            "characters",
        )
    if code[0] not in CREDIT_AUTHORITIES:
        raise _refuse(
            _("“%(label)s”: the first character is not a registration authority code."),
            label,
            "registration_authority",
        )
    if code[1] not in CREDIT_CATEGORIES:
        raise _refuse(
            _("“%(label)s”: the second character is not an organisation category code."),
            label,
            "category",
        )
    if not code[2:8].isdigit():
        raise _refuse(
            _("“%(label)s”: characters 3 to 8 must be the digits of a region code."),
            label,
            "region",
        )
    if credit_check_char(code[:17]) != code[17]:
        raise _refuse(
            _("“%(label)s”: the check character is wrong; please check the code."),
            label,
            "checksum",
        )
    return code


def validate_mobile(value, *, label: str | None = None) -> str:
    """Check a mainland mobile number; spaces, hyphens and a +86/0086 prefix are
    dropped."""
    label = label or _("Mobile number")
    number = _text(value, label)
    for prefix in ("+86", "0086"):
        if number.startswith(prefix) and len(number) == len(prefix) + 11:
            number = number[len(prefix) :]
    if not (number.isascii() and number.isdigit()):
        raise _refuse(_("“%(label)s” may contain only digits."), label, "characters")
    if len(number) != 11:
        raise _refuse(
            _("“%(label)s” must have 11 digits; this one has %(count)d."),
            label,
            "length",
            count=len(number),
        )
    if not _MOBILE.fullmatch(number):
        raise _refuse(
            _("“%(label)s”: a mainland mobile number starts with 13 to 19."),
            label,
            "prefix",
        )
    return number
