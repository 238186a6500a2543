"""Full-width punctuation typed by a Chinese input method where ASCII syntax is needed (`：` for `:`).

One table for every reader (YAML documents, expressions), so each names the character, its code point and
the ASCII one to type instead.
"""
from __future__ import annotations

FULLWIDTH = {
    "\uff1a": ("full-width colon", ":"),
    "\uff0c": ("full-width comma", ","),
    "\u3001": ("ideographic comma", ","),
    "\uff1b": ("full-width semicolon", ";"),
    "\uff08": ("full-width left parenthesis", "("),
    "\uff09": ("full-width right parenthesis", ")"),
    "\uff3b": ("full-width left bracket", "["),
    "\uff3d": ("full-width right bracket", "]"),
    "\u3010": ("full-width left bracket", "["),
    "\u3011": ("full-width right bracket", "]"),
    "\uff5b": ("full-width left brace", "{"),
    "\uff5d": ("full-width right brace", "}"),
    "\u201c": ("curly double quote", '"'),
    "\u201d": ("curly double quote", '"'),
    "\u2018": ("curly single quote", "'"),
    "\u2019": ("curly single quote", "'"),
    "\uff02": ("full-width double quote", '"'),
    "\uff07": ("full-width single quote", "'"),
    "\uff1d": ("full-width equals sign", "="),
    "\uff1c": ("full-width less-than sign", "<"),
    "\uff1e": ("full-width greater-than sign", ">"),
    "\uff01": ("full-width exclamation mark", "!"),
    "\uff0b": ("full-width plus sign", "+"),
    "\uff0d": ("full-width minus sign", "-"),
    "\uff0a": ("full-width asterisk", "*"),
    "\uff0f": ("full-width slash", "/"),
    "\uff05": ("full-width percent sign", "%"),
    "\uff0e": ("full-width full stop", "."),
    "\u3002": ("ideographic full stop", "."),
    "\u3000": ("ideographic (full-width) space", " "),
    "\uff03": ("full-width number sign", "#"),
}


def describe(character: str) -> str:
    """'：' -> "full-width colon '：' (U+FF1A)"; any other character by its code point."""
    name = FULLWIDTH.get(character, ("character",))[0]
    return f"{name} {character!r} (U+{ord(character):04X})"


def first_fullwidth(text: str) -> int | None:
    """The offset of the first full-width syntax character in text, or None."""
    offsets = [text.find(c) for c in FULLWIDTH if c in text]
    return min(offsets) if offsets else None


def fullwidth_hint(character: str) -> str | None:
    """What to type instead, or None when the character is not full-width punctuation."""
    if character not in FULLWIDTH:
        return None
    ascii_form = FULLWIDTH[character][1]
    shown = "a space" if ascii_form == " " else f"the ASCII {ascii_form!r}"
    return f"type {shown} instead (switch the input method to half-width, 半角)"
