"""Similarity of goods and services by Nice class: same class, related classes, or unrelated.

Why related classes: examiners treat bags (18) and clothing (25), cosmetics (3) and pharmaceuticals (5), infant
formula (5, 29) and foods, software (9) and IT services (42) as goods the same buyer meets in the same shop.
The table is deliberately small and readable; extend it here, not in scoring code.
"""

from __future__ import annotations

from dataclasses import dataclass

_RELATED_GROUPS: tuple[tuple[int, ...], ...] = (
    (3, 5, 21, 44),          # cosmetics, toiletries, pharmacy, brushes, beauty services
    (5, 10, 16),             # baby care: diapers (5, 16), bottles and feeding (10)
    (5, 29, 30, 32),         # infant formula, foods, drinks
    (29, 30, 31, 32, 33, 43),  # food and drink, restaurants
    (9, 28, 38, 41, 42),     # electronics, games, telecoms, entertainment, software
    (14, 18, 25, 26),        # fashion: jewellery and watches, bags, clothing, accessories
    (25, 28),                # sports clothing and sporting goods
    (20, 21, 24, 27, 11),    # household: furniture, kitchenware, textiles, carpets, lighting
    (16, 20, 21, 24, 25),    # lifestyle retail of the MUJI kind
    (7, 8, 11, 12),          # machines, tools, appliances, vehicles
    (9, 12),                 # electric vehicles and their electronics
)

RELATED: dict[int, frozenset[int]] = {}
for _group in _RELATED_GROUPS:
    for _c in _group:
        RELATED[_c] = RELATED.get(_c, frozenset()) | frozenset(_group) - {_c}


@dataclass(frozen=True)
class GoodsResult:
    score: float
    relation: str  # same | related | unrelated | unknown
    shared: tuple[int, ...]
    detail: str


def goods_similarity(earlier: tuple[int, ...] | list[int], later: tuple[int, ...] | list[int]) -> GoodsResult:
    """1.0 same class, 0.6 related classes, 0 unrelated; retail services (35) alone relate to no goods class."""
    a, b = set(earlier), set(later)
    if not a or not b:
        return GoodsResult(0.5, "unknown", (), "goods unknown for one side; treated as neutral")
    shared = tuple(sorted(a & b))
    if shared:
        return GoodsResult(1.0, "same", shared, f"same Nice class(es) {', '.join(map(str, shared))}")
    related = sorted({x for x in a for y in b if y in RELATED.get(x, frozenset())})
    if related:
        return GoodsResult(0.6, "related", tuple(related),
                           f"related classes: {sorted(a)} vs {sorted(b)}")
    return GoodsResult(0.0, "unrelated", (), f"unrelated classes: {sorted(a)} vs {sorted(b)}")
