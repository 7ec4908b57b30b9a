"""Character sets as RE2 builds them: sorted code point ranges, case folding, named classes.

RE2 (re2/parse.cc, re2/unicode_casefold.h) resolves every class, Perl class, POSIX class and
Unicode group to a set of ranges, folds it under ``(?i)`` (a negated group is the complement of
the folded group) and only then negates the class. Doing the same here, and handing Python an
exact set, keeps Python's own IGNORECASE rules out of the picture.
"""

from __future__ import annotations

import sys
import unicodedata
from bisect import bisect_left, bisect_right
from functools import cache

MAX_RUNE = 0x10FFFF

Ranges = tuple[tuple[int, int], ...]

# RE2's Perl classes are ASCII-only (re2/perl_groups.cc); note \s has no \v.
PERL: dict[str, Ranges] = {
    "d": ((0x30, 0x39),),
    "s": ((0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)),
    "w": ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)),
}

# POSIX classes inside brackets, e.g. [[:alpha:]] (re2/perl_groups.cc, posix_groups).
POSIX: dict[str, Ranges] = {
    "alnum": ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)),
    "alpha": ((0x41, 0x5A), (0x61, 0x7A)),
    "ascii": ((0x00, 0x7F),),
    "blank": ((0x09, 0x09), (0x20, 0x20)),
    "cntrl": ((0x00, 0x1F), (0x7F, 0x7F)),
    "digit": ((0x30, 0x39),),
    "graph": ((0x21, 0x7E),),
    "lower": ((0x61, 0x7A),),
    "print": ((0x20, 0x7E),),
    "punct": ((0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)),
    "space": ((0x09, 0x0D), (0x20, 0x20)),
    "upper": ((0x41, 0x5A),),
    "word": ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)),
    "xdigit": ((0x30, 0x39), (0x41, 0x46), (0x61, 0x66)),
}

# General categories RE2 knows (one- and two-letter; no Cn, no LC). "C" is Cc|Cf|Co|Cs there.
CATEGORIES = frozenset(
    ["C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs"]
)

# The Unicode scripts RE2 knows (\p{Greek}); Unicode 15.1's Scripts.txt names, as in RE2's tables.
SCRIPTS = frozenset(
    ["Adlam", "Ahom", "Anatolian_Hieroglyphs", "Arabic", "Armenian", "Avestan", "Balinese", "Bamum", "Bassa_Vah", "Batak", "Bengali", "Bhaiksuki", "Bopomofo", "Brahmi", "Braille", "Buginese", "Buhid", "Canadian_Aboriginal", "Carian", "Caucasian_Albanian", "Chakma", "Cham", "Cherokee", "Chorasmian", "Common", "Coptic", "Cuneiform", "Cypriot", "Cypro_Minoan", "Cyrillic", "Deseret", "Devanagari", "Dives_Akuru", "Dogra", "Duployan", "Egyptian_Hieroglyphs", "Elbasan", "Elymaic", "Ethiopic", "Georgian", "Glagolitic", "Gothic", "Grantha", "Greek", "Gujarati", "Gunjala_Gondi", "Gurmukhi", "Han", "Hangul", "Hanifi_Rohingya", "Hanunoo", "Hatran", "Hebrew", "Hiragana", "Imperial_Aramaic", "Inherited", "Inscriptional_Pahlavi", "Inscriptional_Parthian", "Javanese", "Kaithi", "Kannada", "Katakana", "Kawi", "Kayah_Li", "Kharoshthi", "Khitan_Small_Script", "Khmer", "Khojki", "Khudawadi", "Lao", "Latin", "Lepcha", "Limbu", "Linear_A", "Linear_B", "Lisu", "Lycian", "Lydian", "Mahajani", "Makasar", "Malayalam", "Mandaic", "Manichaean", "Marchen", "Masaram_Gondi", "Medefaidrin", "Meetei_Mayek", "Mende_Kikakui", "Meroitic_Cursive", "Meroitic_Hieroglyphs", "Miao", "Modi", "Mongolian", "Mro", "Multani", "Myanmar", "Nabataean", "Nag_Mundari", "Nandinagari", "New_Tai_Lue", "Newa", "Nko", "Nushu", "Nyiakeng_Puachue_Hmong", "Ogham", "Ol_Chiki", "Old_Hungarian", "Old_Italic", "Old_North_Arabian", "Old_Permic", "Old_Persian", "Old_Sogdian", "Old_South_Arabian", "Old_Turkic", "Old_Uyghur", "Oriya", "Osage", "Osmanya", "Pahawh_Hmong", "Palmyrene", "Pau_Cin_Hau", "Phags_Pa", "Phoenician", "Psalter_Pahlavi", "Rejang", "Runic", "Samaritan", "Saurashtra", "Sharada", "Shavian", "Siddham", "SignWriting", "Sinhala", "Sogdian", "Sora_Sompeng", "Soyombo", "Sundanese", "Syloti_Nagri", "Syriac", "Tagalog", "Tagbanwa", "Tai_Le", "Tai_Tham", "Tai_Viet", "Takri", "Tamil", "Tangsa", "Tangut", "Telugu", "Thaana", "Thai", "Tibetan", "Tifinagh", "Tirhuta", "Toto", "Ugaritic", "Vai", "Vithkuqi", "Wancho", "Warang_Citi", "Yezidi", "Zanabazar_Square"]
)


def normalize(ranges) -> Ranges:
    """Sorted, merged, non-overlapping ranges."""
    out: list[list[int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return tuple((lo, hi) for lo, hi in out)


def complement(ranges: Ranges) -> Ranges:
    out = []
    next_lo = 0
    for lo, hi in normalize(ranges):
        if lo > next_lo:
            out.append((next_lo, lo - 1))
        next_lo = hi + 1
    if next_lo <= MAX_RUNE:
        out.append((next_lo, MAX_RUNE))
    return tuple(out)


def contains(ranges: Ranges, rune: int) -> bool:
    return any(lo <= rune <= hi for lo, hi in ranges)


# Every rune with a case mapping lies below U+20000 (Latin ... Adlam, U+1E900), so the scan stops there.
_CASED_LIMIT = 0x20000


@cache
def _orbits() -> tuple[tuple[int, ...], ...]:
    """Simple case-folding orbits ({k, K, U+212A}, {s, S, U+017F}, ...), from Python's Unicode data.

    Two runes share an orbit when they fold to the same single rune (str.casefold where it yields
    one rune, else str.lower): this is CaseFolding.txt's C+S mappings, which RE2 uses."""
    groups: dict[str, list[int]] = {}
    for rune in range(_CASED_LIMIT):
        if 0xD800 <= rune <= 0xDFFF:
            continue
        ch = chr(rune)
        folded = ch.casefold()
        if len(folded) != 1:
            folded = ch.lower() if len(ch.lower()) == 1 else ch
        if folded != ch or ch.upper() != ch:
            groups.setdefault(folded, []).append(rune)
    orbits = []
    for key, members in groups.items():
        runes = set(members) | {ord(key)}
        if len(runes) > 1:
            orbits.append(tuple(sorted(runes)))
    return tuple(orbits)


@cache
def _folding_runes() -> tuple[list[int], list[tuple[int, ...]]]:
    """Every rune that has case variants, sorted, with its orbit (for bisecting a range set)."""
    pairs = sorted((rune, orbit) for orbit in _orbits() for rune in orbit)
    return [rune for rune, _ in pairs], [orbit for _, orbit in pairs]


def fold(ranges: Ranges) -> Ranges:
    """Add every case variant of every rune in the set (RE2's AddFoldedRange)."""
    runes, orbits = _folding_runes()
    extra = []
    for lo, hi in ranges:
        for index in range(bisect_left(runes, lo), bisect_right(runes, hi)):
            extra += [(rune, rune) for rune in orbits[index]]
    return normalize(tuple(ranges) + tuple(extra)) if extra else normalize(ranges)


@cache
def _categories() -> dict[str, Ranges]:
    """Every two-letter general category as ranges, in one pass over the code space."""
    found: dict[str, list[tuple[int, int]]] = {}
    start, current = 0, unicodedata.category("\x00")
    for rune in range(1, MAX_RUNE + 2):
        name = unicodedata.category(chr(rune)) if rune <= MAX_RUNE else ""
        if name != current:
            found.setdefault(current, []).append((start, rune - 1))
            start, current = rune, name
    return {name: tuple(ranges) for name, ranges in found.items()}


def category(name: str) -> Ranges:
    """A general category; a one-letter name is the union of its two-letter ones (RE2's "C" leaves out Cn)."""
    table = _categories()
    if len(name) == 2:
        return table.get(name, ())
    members = ("Cc", "Cf", "Co", "Cs") if name == "C" else [two for two in table if two[0] == name]
    return normalize(tuple(r for two in members for r in table.get(two, ())))


UNICODE_VERSION = unicodedata.unidata_version
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
