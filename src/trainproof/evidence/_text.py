"""Text a PDF font can draw: Latin-1 for the core fonts, DejaVu Sans (bundled) for everything else.

The PDF core fonts (Helvetica) need no embedding and give small, machine-independent files, but only
draw Latin-1. Names in other scripts are drawn with DejaVu Sans, which ships inside this package
(fonts/, Bitstream Vera licence) so every machine draws the same glyphs: Latin, Greek, Cyrillic,
Armenian, Georgian, Hebrew, Arabic and many symbols. A character outside it (CJK, most emoji) is
transliterated when it has a Latin-1 form (letters with marks, typographic punctuation) and becomes '?'
otherwise; control and format characters are dropped, tabs and line breaks become spaces. There is no
text shaping (it needs HarfBuzz): right-to-left and joining scripts are drawn letter by letter in the
stored order. Never an error: the exact Unicode text is kept in the embedded evidence.json.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Set
from pathlib import Path

BUNDLED_FONT = Path(__file__).with_name("fonts") / "DejaVuSans.ttf"
"""DejaVu Sans 2.37, shipped in the wheel with its bold face and LICENSE."""

# The bundled font first; the places distributions and macOS put DejaVu Sans are kept for a copy of the
# package whose fonts/ folder was stripped. First hit wins.
FONT_CANDIDATES: tuple[str | Path, ...] = (
    BUNDLED_FONT,
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # Debian, Ubuntu
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",  # Fedora, RHEL
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",  # older Fedora, CentOS
    "/usr/share/fonts/TTF/DejaVuSans.ttf",  # Arch
    "/usr/share/fonts/truetype/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
    "/opt/homebrew/share/fonts/DejaVuSans.ttf",
    "/Library/Fonts/DejaVuSans.ttf",
)


def find_unicode_font(candidates: Iterable[str | Path] = FONT_CANDIDATES) -> Path | None:
    """The bundled DejaVu Sans (or the first given TTF present), or None."""
    for candidate in candidates:
        path = Path(candidate)
        if path.is_file():
            return path
    return None


def bold_variant(regular: Path) -> Path | None:
    """DejaVuSans-Bold.ttf next to DejaVuSans.ttf, when present."""
    bold = regular.with_name(f"{regular.stem}-Bold{regular.suffix}")
    return bold if bold.is_file() else None


def is_latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


_PAIRS = (
    # Cyrillic (ISO 9 / passport-style, readable rather than reversible)
    "А A|Б B|В V|Г G|Д D|Е E|Ё E|Ж Zh|З Z|И I|Й Y|К K|Л L|М M|Н N|О O|П P|Р R|С S|Т T|У U|Ф F|Х Kh|Ц Ts|Ч Ch|"
    "Ш Sh|Щ Shch|Ъ |Ы Y|Ь |Э E|Ю Yu|Я Ya|Є Ye|І I|Ї Yi|Ґ G|Ў U|Ј J|Љ Lj|Њ Nj|Ћ C|Ђ Dj|Џ Dz|Ѕ Dz|"
    "а a|б b|в v|г g|д d|е e|ё e|ж zh|з z|и i|й y|к k|л l|м m|н n|о o|п p|р r|с s|т t|у u|ф f|х kh|ц ts|ч ch|"
    "ш sh|щ shch|ъ |ы y|ь |э e|ю yu|я ya|є ye|і i|ї yi|ґ g|ў u|ј j|љ lj|њ nj|ћ c|ђ dj|џ dz|ѕ dz|"
    # Greek
    "Α A|Β V|Γ G|Δ D|Ε E|Ζ Z|Η I|Θ Th|Ι I|Κ K|Λ L|Μ M|Ν N|Ξ X|Ο O|Π P|Ρ R|Σ S|Τ T|Υ Y|Φ F|Χ Ch|Ψ Ps|Ω O|"
    "α a|β v|γ g|δ d|ε e|ζ z|η i|θ th|ι i|κ k|λ l|μ m|ν n|ξ x|ο o|π p|ρ r|σ s|ς s|τ t|υ y|φ f|χ ch|ψ ps|ω o|"
    # Latin letters NFKD does not decompose
    "Ł L|ł l|Đ D|đ d|Ħ H|ħ h|ı i|Œ OE|œ oe|Ŋ N|ŋ n|Ŧ T|ŧ t|ſ s|ĸ k|ƒ f|Ə E|ə e|Ʒ Z|ʒ z|"
    # Punctuation and symbols common in names and titles
    "‘ '|’ '|‚ ,|‛ '|“ \"|” \"|„ \"|‹ <|› >|– -|— -|‒ -|− -|‐ -|‑ -|… ...|• *|€ EUR|™ (TM)|ℹ i"
)
_TRANSLIT: dict[str, str] = {}
for _pair in _PAIRS.split("|"):
    _src, _, _dst = _pair.partition(" ")
    _TRANSLIT[_src] = _dst


def shorten(text: str, limit: int, ellipsis: str = "...") -> str:
    """Runs of white space as one space, and at most `limit` characters (the end replaced by `ellipsis`).

    Certificates show names and titles up to a length a page can hold; the full text is in evidence.json.
    """
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: max(limit - len(ellipsis), 0)].rstrip() + ellipsis


def transliterate(text: str, drawable: Set[int] | None = None) -> str:
    """Text whose every character is Latin-1 (or, given `drawable`, in that set of code points).

    >>> transliterate("Łukasz Żółć")  # ó is Latin-1 and stays
    'Lukasz Zólc'
    >>> transliterate("Владимир")
    'Vladimir'
    """

    def ok(ch: str) -> bool:
        return ord(ch) in drawable if drawable is not None else ord(ch) < 256

    out: list[str] = []
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):  # controls, format marks, surrogates
            out.append(" " if ch in "\t\n\r\x0b\x0c\x85" else "")
            continue
        if ok(ch):
            out.append(ch)
            continue
        if ch in _TRANSLIT:
            out.append(_TRANSLIT[ch])
            continue
        if unicodedata.category(ch).startswith("Z"):  # exotic spaces
            out.append(" ")
            continue
        decomposed = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if decomposed and all(ok(c) for c in decomposed):
            out.append(decomposed)
        else:
            out.append("?")
    return "".join(out)
