"""Student-facing words: Simplified Chinese first, English beside it, as the notebooks write them."""

from __future__ import annotations

import re

SEPARATOR = " / "
_CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def say(chinese: str, english: str) -> str:
    """One message in both of the course's languages."""
    return f"{chinese}{SEPARATOR}{english}"


def halves(text: str) -> tuple[str, str]:
    """The Chinese and the English half of a message ``say`` wrote; other text (a name, an
    exception's message) is the same in both languages and comes back twice.

    So a message can embed a phrase or a reported error in each language once:
    ``say(f"{zh}：……", f"{en}: ...")`` with ``zh, en = halves(what)``. The split is at a
    separator after the last Chinese character: the one after which the English half ends
    as the Chinese half does (both quote the same exception), else the first.
    """
    last = next(reversed(list(_CHINESE.finditer(text))), None)
    if last is None:
        return text, text
    cuts = [index for index in range(last.end(), len(text)) if text.startswith(SEPARATOR, index)]
    if not cuts:
        return text, text

    def tail(cut):
        return text[last.end() : cut].strip()

    cut = next((cut for cut in cuts if text.endswith(tail(cut))), cuts[0])
    return text[:cut], text[cut + len(SEPARATOR) :]
