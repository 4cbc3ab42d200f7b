"""Text a submission influenced, made safe for where it is shown.

A file name, an exception message or a printed line comes from the student.
It may hold lone surrogates (which no UTF-8 file can store), control
characters (ESC sequences that rewrite a TA's terminal, newlines that split
a CSV row) or a leading ``=`` that a spreadsheet runs as a formula.
"""

from __future__ import annotations

import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_FORMULA_START = (
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\n",
    "\uff1d",
    "\uff0b",
    "\uff0d",
    "\uff20",
)  # OWASP, with fullwidth forms


def storable(text: str) -> str:
    """``text`` with lone surrogates written as ``\\udcff``: always encodable as UTF-8."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def shown_controls(text: str) -> str:
    """``text`` safe for a terminal or a CSV cell: control, format and separator characters as escapes.

    C0 and C1 controls, DEL, bidirectional overrides and other format
    characters (Unicode categories Cc, Cf, Zl, Zp) become ``\\n``, ``\\x1b``,
    ``\\u202e``; lone surrogates become ``\\udcff``.
    """
    out = []
    for char in storable(text):
        if char in _NAMED:
            out.append(_NAMED[char])
        elif unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    return "".join(out)


def spreadsheet_cell(text: str) -> str:
    """A CSV cell no spreadsheet runs: controls escaped, and a formula-leading cell prefixed with ``'``.

    As OWASP's CSV-injection guidance says: a cell starting with = + - @ (or a
    tab or carriage return) gets a leading single quote, which spreadsheets
    show as text.
    """
    cell = shown_controls(text)
    return "'" + cell if cell.startswith(_FORMULA_START) or text.startswith(_FORMULA_START) else cell
