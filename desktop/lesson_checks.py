"""A lesson's claims, checked: runs in the worker process, so it imports no Qt.

Each check recomputes "what happens here" with `core.train` (up to ~0.7 s
for a lesson in pure Python): in a thread it would hold the GIL and stall the
window, so the worker process pool runs it (see `desktop.jobs`).
"""

from __future__ import annotations


def claim_texts(name: str) -> list[tuple[str, str, bool]]:
    """(what the article says, what happens here, whether it was verified) per claim."""
    from core.lessons import get_lesson

    out = []
    for claim in get_lesson(name).claims:
        result = claim.check()
        out.append((claim.article_says, result.text, bool(result.holds)))
    return out
