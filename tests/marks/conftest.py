"""A tiny simulated world shared by the marks tests (generated in well under a second), plus a hand-made registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from bordermark.domain.rights import Alias, AliasKind, AuthorisedParty, Mark, PartyRole, Product, Registry
from bordermark.sim import SimParams, generate

TINY = SimParams().with_counts(holders=100, listings=200, sellers=60, traders=60, declarations=800, parcels=200,
                               filings=300, networks=4)


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("marks-world") / "w7"
    generate(out, seed=7, params=TINY)
    return out


def hand_registry() -> Registry:
    """Betta (ZOOM.T), JORDAN, MUJI with its translation, and an ordinary mark, with parties and a GS1 prefix."""
    marks = (
        Mark(holder="ZOOM.T Co. Ltd", text="BETTA", nice_classes=(10, 21), famous=False,
             aliases=(Alias(text="贝塔", kind=AliasKind.TRANSLITERATION),)),
        Mark(holder="Nike Innovate C.V.", text="JORDAN", nice_classes=(25, 28), famous=True),
        Mark(holder="Ryohin Keikaku Co. Ltd.", text="MUJI", nice_classes=(3, 16, 20, 21, 24, 25), famous=True,
             aliases=(Alias(text="无印良品", kind=AliasKind.TRANSLATION),)),
        Mark(holder="Puma SE", text="PUMA", nice_classes=(18, 25, 28)),
    )
    parties = (
        AuthorisedParty(holder="ZOOM.T Co. Ltd", role=PartyRole.MANUFACTURER, name="ZOOM.T Kyoto Plant", country="JP"),
        AuthorisedParty(holder="ZOOM.T Co. Ltd", role=PartyRole.IMPORTER, name="ZOOM.T China Trading Co. Ltd",
                        country="CN"),
        AuthorisedParty(holder="Nike Innovate C.V.", role=PartyRole.LICENSEE, name="Jordan Brand China Ltd",
                        country="CN"),
    )
    products = (Product(holder="ZOOM.T Co. Ltd", mark="BETTA", name="Betta Brain Bottle", gs1_prefixes=("4560283",)),)
    return Registry(marks=marks, parties=parties, products=products)


@pytest.fixture
def registry() -> Registry:
    return hand_registry()
