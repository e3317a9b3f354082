"""Characters that draw as nothing: an id holding one looks like another id but is not, and a
waiver reason made only of them is no reason."""

from __future__ import annotations

#: Unicode ranges whose characters an id may not hold: controls, format characters (bidi
#: marks and isolates, joiners, tags), line and paragraph separators, spaces other than the
#: ASCII one, and the blank fillers and selectors that draw as nothing (Unicode 14 categories
#: Cc, Cf, Zl, Zp, Zs, plus U+034F, the Hangul fillers, U+2800 and the variation selectors).
#: Each makes an id that looks the same as another count as a different household.
_INVISIBLE_RANGES = (
    (0x00, 0x1F), (0x7F, 0xA0), (0xAD, 0xAD), (0x34F, 0x34F), (0x600, 0x605), (0x61C, 0x61C),
    (0x6DD, 0x6DD), (0x70F, 0x70F), (0x890, 0x891), (0x8E2, 0x8E2), (0x115F, 0x1160),
    (0x1680, 0x1680), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x2000, 0x200F), (0x2028, 0x202F),
    (0x205F, 0x2064), (0x2066, 0x206F), (0x2800, 0x2800), (0x3000, 0x3000), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001), (0xE0020, 0xE007F), (0xE0100, 0xE01EF),
)  # fmt: skip
INVISIBLE = [chr(c) for low, high in _INVISIBLE_RANGES for c in range(low, high + 1)]
INVISIBLE_SET = frozenset(INVISIBLE)


#: Characters an id may not hold because they look like another, plainer one: the full-width
#: forms of ASCII (１, Ｃ, －), dashes and minus signs other than '-', and combining marks (an
#: id written decomposed, e + U+0301, looks like é but is another id).
_LOOKALIKE_RANGES = (
    (0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F),
    (0x2010, 0x2015), (0x2043, 0x2043), (0x2212, 0x2212), (0xFE58, 0xFE58), (0xFE63, 0xFE63),
    (0xFF01, 0xFF5E),
)  # fmt: skip
LOOKALIKE = [chr(c) for low, high in _LOOKALIKE_RANGES for c in range(low, high + 1)]
LOOKALIKE_SET = frozenset(LOOKALIKE)


def lookalike_name(ch: str) -> str:
    """``'１' (U+FF11, a full-width digit)``: a look-alike character, named for a message."""
    import unicodedata

    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        kind = "a full-width character"
    elif unicodedata.combining(ch):
        kind = "a combining accent"
    else:
        kind = "a dash that is not '-'"
    shown = f"'{ch}' " if not unicodedata.combining(ch) else ""
    return f"{shown}(U+{code:04X}, {kind})"


def blank(text: str) -> bool:
    """Whether ``text`` shows nothing: empty, or white space and invisible characters only."""
    return not "".join(ch for ch in text if ch not in INVISIBLE_SET).strip()
