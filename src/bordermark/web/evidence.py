"""Pure helpers for evidence display: split a text into plain and highlighted segments from hit offsets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bordermark.domain import records


def highlight(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[str, bool]]:
    """Segments of ``text`` with a flag telling whether it lies inside a span; overlapping spans merge and
    out-of-range offsets are clipped, so bad offsets never break a page."""
    merged: list[list[int]] = []
    for start, end in sorted((max(0, s), min(len(text), e)) for s, e in spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in merged:
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def listing_text(listing: dict[str, Any]) -> str:
    """The text detection ran on (``Listing.text``): title, then description on the next line."""
    return records.listing_text(listing.get("title") or "", listing.get("description") or "")


def hit_spans(hits: Sequence[dict[str, Any]]) -> list[tuple[int, int]]:
    spans = []
    for h in hits:
        try:
            spans.append((int(h["start"]), int(h["end"])))
        except (KeyError, TypeError, ValueError):
            continue
    return spans
