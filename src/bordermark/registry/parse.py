"""Turning source rows into validated domain objects, collecting every error with file, line and field.

Pure: takes rows, returns objects and errors; the service decides whether anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from pydantic import ValidationError

from bordermark.domain import Alias, AliasKind, AuthorisedParty, Holder, Mark, PriceBand, Product, Recordation
from bordermark.ingest.errors import RowError
from bordermark.registry.formats import SourceRow

T = TypeVar("T")

MARK_FIELDS = {
    "holder", "mark", "id", "right_type", "aliases", "nice_classes", "jurisdictions", "registration_number",
    "recordation_number", "recordation_authority", "recordation_valid_from", "recordation_valid_until",
    "recordations", "valid_from", "valid_until", "famous", "holder_country",
}
PRODUCT_FIELDS = {
    "holder", "mark", "product", "category", "hs_codes", "market", "currency", "price_low", "price_high",
    "price_bands", "gs1_prefixes", "barcodes", "authentication_features",
}
PARTY_FIELDS = {"holder", "role", "name", "country", "marks", "identifiers", "addresses", "contacts"}
HOLDER_FIELDS = {"name", "country"}
REQUIRED = {"marks": ("holder", "mark"), "products": ("holder", "mark", "product"),
            "parties": ("holder", "role", "name"), "holders": ("name",)}
ALLOWED = {"marks": MARK_FIELDS, "products": PRODUCT_FIELDS, "parties": PARTY_FIELDS, "holders": HOLDER_FIELDS}
_ALIAS_RE = re.compile(r"^(?P<text>.*?)\s*\[(?P<kind>[a-z_]+)\]\s*$")


@dataclass
class Parsed:
    holders: dict[str, Holder] = field(default_factory=dict)
    marks: dict[str, tuple[SourceRow, Mark]] = field(default_factory=dict)
    products: dict[str, tuple[SourceRow, Product]] = field(default_factory=dict)
    parties: dict[str, tuple[SourceRow, AuthorisedParty]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def guess_section(row: SourceRow) -> str:
    if row.section:
        return row.section
    keys = set(row.data)
    if "role" in keys:
        return "parties"
    if "product" in keys:
        return "products"
    if "mark" not in keys and "name" in keys and keys <= HOLDER_FIELDS:
        return "holders"
    return "marks"


def split_list(value: Any) -> list[Any]:
    """A list field: a JSON/YAML list, or a ``|``-separated string in CSV."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [part.strip() for part in str(value).split("|") if part.strip()]


def parse_aliases(value: Any) -> list[Alias]:
    out: list[Alias] = []
    for item in split_list(value):
        if isinstance(item, dict):
            out.append(Alias(**item))
            continue
        text, kind = str(item), AliasKind.VARIANT
        m = _ALIAS_RE.match(text)
        if m:
            try:
                kind = AliasKind(m.group("kind"))
            except ValueError:
                names = ", ".join(k.value for k in AliasKind)
                raise ValueError(f"unknown alias kind {m.group('kind')!r} (expected one of {names})") from None
            text = m.group("text")
        out.append(Alias(text=text, kind=kind))
    return out


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "t"):
        return True
    if text in ("0", "false", "no", "n", "f", ""):
        return False
    raise ValueError(f"{value!r} is not a yes/no value")


def parse_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date (expected YYYY-MM-DD)") from None


def parse_decimal(value: Any) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return number


class _RowReader:
    """Reads one row's fields, recording an error per bad field instead of stopping at the first."""

    def __init__(self, row: SourceRow, errors: list[RowError]) -> None:
        self.row, self.errors, self.ok = row, errors, True

    def error(self, field_name: str, reason: str) -> None:
        self.errors.append(RowError(self.row.path, self.row.line, field_name, reason))
        self.ok = False

    def get(self, name: str, conv: Callable[[Any], T], default: T) -> T:
        if name not in self.row.data or self.row.data[name] in (None, ""):
            return default
        try:
            return conv(self.row.data[name])
        except (ValueError, TypeError) as exc:
            self.error(name, str(exc))
            return default

    def text(self, name: str) -> str | None:
        value = self.row.data.get(name)
        return None if value in (None, "") else str(value).strip()

    def build(self, cls: Callable[..., T], **kwargs: Any) -> T | None:
        """Validate even after earlier field errors, so one pass reports every bad field of the row."""
        try:
            obj = cls(**kwargs)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"]) or "row"
                self.error(loc, err["msg"].removeprefix("Value error, "))
            return None
        return obj if self.ok else None


def parse_rows(rows: Iterable[SourceRow]) -> Parsed:
    parsed = Parsed()
    for row in rows:
        if "__error__" in row.data:
            parsed.errors.append(RowError(row.path, row.line, "row", row.data["__error__"]))
            continue
        section = guess_section(row)
        if section not in REQUIRED:
            parsed.errors.append(RowError(row.path, row.line, "section", f"unknown section {section!r}"))
            continue
        r = _RowReader(row, parsed.errors)
        for name in REQUIRED[section]:
            if r.text(name) is None:
                r.error(name, "required value is missing")
        if not r.ok:
            continue
        for name in sorted(set(row.data) - ALLOWED[section]):
            r.error(name, f"unknown column for {section} (allowed: {', '.join(sorted(ALLOWED[section]))})")
        if section == "marks":
            _mark(r, parsed)
        elif section == "products":
            _product(r, parsed)
        elif section == "parties":
            _party(r, parsed)
        else:
            holder = r.build(Holder, name=r.text("name"), country=r.text("country"))
            if holder is not None:
                parsed.holders[holder.name] = holder
    return parsed


def _recordations(r: _RowReader) -> list[Recordation]:
    recs: list[Recordation] = []
    for item in split_list(r.row.data.get("recordations")):
        rec = r.build(Recordation, **item) if isinstance(item, dict) else None
        if rec is not None:
            recs.append(rec)
        elif not isinstance(item, dict):
            r.error("recordations", "each recordation must be an object with number, authority, valid_from, ...")
    number = r.text("recordation_number")
    if number:
        rec = r.build(
            Recordation,
            number=number,
            authority=r.text("recordation_authority") or "CN-GACC",
            valid_from=r.get("recordation_valid_from", parse_date, None),
            valid_until=r.get("recordation_valid_until", parse_date, None),
        )
        if rec is not None:
            recs.append(rec)
    return recs


def _mark(r: _RowReader, parsed: Parsed) -> None:
    holder_name = r.text("holder") or ""
    kwargs: dict[str, Any] = {
        "holder": holder_name,
        "text": r.text("mark"),
        "external_id": r.text("id"),
        "aliases": tuple(r.get("aliases", parse_aliases, [])),
        "nice_classes": split_list(r.row.data.get("nice_classes")),
        "jurisdictions": split_list(r.row.data.get("jurisdictions")),
        "registration_number": r.text("registration_number"),
        "valid_from": r.get("valid_from", parse_date, None),
        "valid_until": r.get("valid_until", parse_date, None),
        "famous": r.get("famous", parse_bool, False),
        "recordations": tuple(_recordations(r)),
    }
    if r.text("right_type"):
        kwargs["right_type"] = r.text("right_type")
    mark = r.build(Mark, **kwargs)
    holder = r.build(Holder, name=holder_name, country=r.text("holder_country"))
    if mark is None or holder is None:
        return
    if mark.id in parsed.marks and parsed.marks[mark.id][1] != mark:
        first = parsed.marks[mark.id][0]
        r.error("mark", f"{mark.text!r} of {mark.holder!r} is also defined at {first.path}:{first.line}"
                " with different values")
        return
    parsed.marks[mark.id] = (r.row, mark)
    if holder.country or holder.name not in parsed.holders:
        parsed.holders[holder.name] = holder


def _product(r: _RowReader, parsed: Parsed) -> None:
    bands: list[PriceBand] = []
    for item in split_list(r.row.data.get("price_bands")):
        band = r.build(PriceBand, **item) if isinstance(item, dict) else None
        if band is None and not isinstance(item, dict):
            r.error("price_bands", "each price band must be an object with market, currency, low, high")
        if band is not None:
            bands.append(band)
    flat = [n for n in ("market", "currency", "price_low", "price_high") if r.text(n)]
    if flat and len(flat) < 4:
        missing = sorted({"market", "currency", "price_low", "price_high"} - set(flat))
        r.error(missing[0], "a price band needs market, currency, price_low and price_high together")
    elif flat:
        low = r.get("price_low", parse_decimal, Decimal(0))
        high = r.get("price_high", parse_decimal, Decimal(0))
        band = r.build(PriceBand, market=r.text("market"), currency=r.text("currency"), low=low, high=high)
        if band is not None:
            bands.append(band)
    product = r.build(
        Product,
        holder=r.text("holder"),
        mark=r.text("mark"),
        name=r.text("product"),
        category=r.text("category"),
        hs_codes=split_list(r.row.data.get("hs_codes")),
        price_bands=tuple(bands),
        gs1_prefixes=split_list(r.row.data.get("gs1_prefixes")),
        barcodes=split_list(r.row.data.get("barcodes")),
        authentication_features=r.text("authentication_features"),
    )
    if product is None:
        return
    if product.id in parsed.products:
        first_row, first = parsed.products[product.id]
        merged_bands = {(b.market, b.currency): b for b in first.price_bands}
        for b in product.price_bands:
            if (b.market, b.currency) in merged_bands and merged_bands[(b.market, b.currency)] != b:
                r.error("market", f"price band {b.market}/{b.currency} already given at line {first_row.line}")
                return
            merged_bands[(b.market, b.currency)] = b
        product = first.model_copy(update={
            "price_bands": tuple(sorted(merged_bands.values(), key=lambda b: (b.market, b.currency))),
            "hs_codes": tuple(dict.fromkeys((*first.hs_codes, *product.hs_codes))),
        })
        parsed.products[product.id] = (first_row, product)
    else:
        parsed.products[product.id] = (r.row, product)


def _party(r: _RowReader, parsed: Parsed) -> None:
    party = r.build(
        AuthorisedParty,
        holder=r.text("holder"),
        role=r.text("role"),
        name=r.text("name"),
        country=r.text("country"),
        marks=tuple(split_list(r.row.data.get("marks"))),
        identifiers=tuple(str(x) for x in split_list(r.row.data.get("identifiers"))),
        addresses=tuple(split_list(r.row.data.get("addresses"))),
        contacts=tuple(split_list(r.row.data.get("contacts"))),
    )
    if party is not None:
        parsed.parties[party.id] = (r.row, party)

