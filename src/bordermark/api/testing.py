"""Helpers to run the real app over real HTTP (tests, browser tests, benchmarks) and to seed two holders.

Why a thread with uvicorn rather than an in-process test client: the API promises behaviour over HTTP (headers,
cookies, status codes, streaming), so tests talk to a real socket on loopback.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from bordermark.accounts import Role, create_user
from bordermark.accounts.ratelimit import LoginLimiter
from bordermark.domain import Alias, AliasKind, AuthorisedParty, Holder, Mark, PartyRole, PriceBand, Product
from bordermark.registry import repository as repo
from bordermark.store import Store
from bordermark.store.account_tables import AuthGuideRow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(store: Store, *, limiter: LoginLimiter | None = None) -> Iterator[str]:
    """Serve ``create_app(store)`` on a free loopback port in a thread; yields the base URL."""
    from bordermark.api import create_app

    app = create_app(store, login_limiter=limiter, analytics_cache_s=0.0)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


PASSWORD = "correct horse battery"


@dataclass
class Seeded:
    """Two holders (A, B), each with marks, products, parties and a guide, and one user per role."""

    holders: dict[str, str] = field(default_factory=dict)  # "A"/"B" -> holder id
    marks: dict[str, str] = field(default_factory=dict)
    products: dict[str, str] = field(default_factory=dict)
    parties: dict[str, str] = field(default_factory=dict)
    guides: dict[str, int] = field(default_factory=dict)
    aliases: dict[str, int] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)  # role key -> username
    names: dict[str, list[str]] = field(default_factory=dict)  # "A"/"B" -> strings only that holder owns
    extra: dict[str, Any] = field(default_factory=dict)


def seed_two_holders(store: Store) -> Seeded:
    from datetime import UTC, datetime

    out = Seeded()
    spec = {
        "A": ("Alpha Maison SA", "FR", "ALPHAMODE", "阿尔法", "Alpha Tote Bag", "Alpha Leather Works"),
        "B": ("Bravo Watches AG", "CH", "BRAVOTIME", "布拉沃", "Bravo Diver 300", "Bravo Distribution Ltd"),
    }
    with store.session() as s:
        for key, (holder, country, text, alias, product, party) in spec.items():
            h = Holder(name=holder, country=country)
            repo.upsert_holders(s, [h])
            mark = Mark(holder=holder, text=text, aliases=(Alias(text=alias, kind=AliasKind.TRANSLITERATION),),
                        nice_classes=(14, 18), jurisdictions=("CN", "FR"), famous=True)
            repo.upsert_marks(s, [mark])
            prod = Product(holder=holder, mark=text, name=product, category="bags", hs_codes=("420221",),
                           price_bands=(PriceBand(market="CN", currency="CNY", low=1000, high=2000),))
            repo.upsert_products(s, [prod])
            par = AuthorisedParty(holder=holder, role=PartyRole.DISTRIBUTOR, name=party, country="CN",
                                  marks=(text,))
            repo.upsert_parties(s, [par])
            guide = AuthGuideRow(holder_id=h.id, product_id=prod.id, title=f"{text} genuine guide",
                                 genuine_features="stitched logo", fake_indicators="glued logo",
                                 updated_at=datetime.now(UTC), updated_by="seed")
            s.add(guide)
            s.flush()
            out.holders[key], out.marks[key], out.products[key] = h.id, mark.id, prod.id
            out.parties[key], out.guides[key] = par.id, guide.id
            from bordermark.store.registry_tables import MarkRow

            row = s.get(MarkRow, mark.id)
            assert row is not None
            out.aliases[key] = row.aliases[0].id
            out.names[key] = [holder, text, alias, product, party, h.id, mark.id, prod.id, par.id]
        _seed_alerts(s, out, spec)
        _seed_records(s, out, spec)
        _seed_cases(s, out)
        plan = [("officer", Role.CUSTOMS_OFFICER, []), ("supervisor", Role.CUSTOMS_SUPERVISOR, []),
                ("analyst", Role.PLATFORM_ANALYST, []), ("admin", Role.ADMIN, []),
                ("holder_a", Role.RIGHT_HOLDER, [out.holders["A"]]),
                ("holder_b", Role.RIGHT_HOLDER, [out.holders["B"]])]
        for username, role, holders in plan:
            create_user(s, username, PASSWORD, role, holder_ids=holders)
            out.users[username] = username
    return out


def _seed_alerts(s: Any, out: Seeded, spec: Mapping[str, tuple[str, ...]]) -> None:
    """One open listing alert per holder, when listing screening is installed."""
    try:
        from bordermark.store.screen_tables import AlertRow
    except ImportError:
        return
    from datetime import UTC, datetime

    for key, (_holder, _country, text, *_rest) in spec.items():
        listing_id = f"L-{key}-1"
        title = f"{text} replica bag factory direct"
        s.add(AlertRow(listing_id=listing_id, content_hash="0" * 40, platform="shopx", seller_id=f"S-{key}",
                       mark_id=out.marks[key], score=0.9 if key == "A" else 0.8, verdict="likely_counterfeit",
                       status="open", scenario_version=1,
                       brand_hits=[{"mark_id": out.marks[key], "mark": text, "holder": _holder, "start": 0,
                                    "end": len(text), "matched": text, "method": "exact", "score": 1.0}],
                       reasons=[{"code": "counterfeit_cue", "detail": "Title says 'replica'", "contribution": 1.2}],
                       features={}, listing={"id": listing_id, "title": title, "price": "99", "currency": "CNY",
                                             "platform": "shopx", "seller_id": f"S-{key}", "images": []},
                       screened_at=datetime.now(UTC)))
        out.extra.setdefault("alerts", {})[key] = listing_id
        out.names[key].append(listing_id)
    s.flush()


def _seed_records(s: Any, out: Seeded, spec: Mapping[str, tuple[str, ...]]) -> None:
    """One parcel per holder in the inspection queue (as if screened and targeted)."""
    from datetime import UTC, datetime

    from bordermark.store.account_tables import ScreenedRecordHolderRow, ScreenedRecordRow

    for key, (_holder, _country, text, *_rest) in spec.items():
        record_id = f"P-{key}-1"
        row = ScreenedRecordRow(
            kind="parcel", record_id=record_id, score=0.7 if key == "A" else 0.6, model_score=None, alert=True,
            reasons=[{"code": "brand_in_description", "detail": f"'{text}' named in the description",
                      "weight": 0.35, "item": 1, "mark_id": out.marks[key]}],
            mark_ids=[out.marks[key]], channel="9610", origin="CN", category="4202", status="open",
            selected_by="target", note="",
            record={"id": record_id, "description": f"{text} handbag", "declared_value": "12", "currency": "USD",
                    "mode": "9610", "origin": "CN", "declared_at": "2026-11-01T10:00:00Z"},
            screened_at=datetime.now(UTC))
        s.add(row)
        s.flush()
        s.add(ScreenedRecordHolderRow(record_pk=row.id, holder_id=out.holders[key]))
        out.extra.setdefault("parcels", {})[key] = record_id
        out.names[key].append(record_id)
    s.flush()


def _seed_cases(s: Any, out: Seeded) -> None:
    """One open ex-officio case per holder about its parcel, waiting for the holder's reply."""
    try:
        from bordermark.cases import service as cases
    except ImportError:
        return
    for key in ("A", "B"):
        case_id = f"C-SEED-{key}"
        cases.open_case(s, profile="cn-ex-officio", mark_ids=[out.marks[key]], goods_kind="parcel",
                        goods_id=out.extra["parcels"][key], goods_value="5000", currency="CNY", actor="seed",
                        holder_id=out.holders[key], case_id=case_id)
        out.extra.setdefault("cases", {})[key] = case_id
        out.names[key].append(case_id)
