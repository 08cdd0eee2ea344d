"""Field mappings: how an administration's declaration file maps onto Bordermark's canonical columns.

Why data, not code: a new customs format should be a new YAML file, reviewed by an analyst, not a new parser.
A mapping names, for each canonical field, where its value comes from (a column, a path into nested items, or a
constant), its type, and its role for the targeting model (category, entity, hs, numeric, value, mass, text).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bordermark.ingest.errors import IngestError

FieldType = Literal["str", "int", "float", "date", "datetime"]
Role = Literal["category", "entity", "hs", "numeric", "value", "mass", "text", "none"]
Agg = Literal["first", "sum", "count", "join", "max", "min"]

# "col", "a.b", "items[0].hs_code", "items[].value", "route[]"
_PATH = re.compile(r"^(?P<head>[^\[\]]+?)(?:\[(?P<idx>\d*)\](?:\.(?P<sub>[^\[\]]+))?)?$")


class FieldSpec(BaseModel):
    """One canonical field: where it comes from and what it is for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str | None = None
    const: str | float | int | None = None
    type: FieldType = "str"
    role: Role = "none"
    agg: Agg | None = None
    required: bool = False

    @model_validator(mode="after")
    def _one_origin(self) -> FieldSpec:
        if (self.source is None) == (self.const is None):
            raise ValueError("give exactly one of 'source' or 'const'")
        if self.source is not None and not _PATH.match(self.source):
            raise ValueError(f"bad source path {self.source!r}")
        return self

    @property
    def path(self) -> tuple[str, str | None, str | None]:
        """(column, index: '' for all items / digits / None for a plain column, sub-field)."""
        assert self.source is not None
        m = _PATH.match(self.source)
        assert m is not None
        return m["head"], m["idx"], m["sub"]


class LabelSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    type: FieldType = "str"
    positive: list[str | int] | None = None


class LabelJoin(BaseModel):
    """Labels kept in a separate file (e.g. inspections.csv), joined on the record id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    key: str
    where: dict[str, str] = Field(default_factory=dict)


class Labels(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    join: LabelJoin | None = None
    fraud: LabelSpec | None = None
    critical: LabelSpec | None = None
    revenue: LabelSpec | None = None
    selected_by: LabelSpec | None = None


class Mapping(BaseModel):
    """A named mapping from one external format to the canonical declaration table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = ""
    kind: Literal["declaration", "parcel"] = "declaration"
    id: FieldSpec
    time: FieldSpec
    fields: dict[str, FieldSpec]
    labels: Labels = Field(default_factory=Labels)

    def columns(self, *roles: str) -> list[str]:
        return [name for name, spec in self.fields.items() if spec.role in roles]


def available() -> list[str]:
    """Names of the mappings shipped inside the package."""
    root = resources.files("bordermark.ingest") / "mappings"
    return sorted(p.name.removesuffix(".yaml") for p in root.iterdir() if p.name.endswith(".yaml"))


def load_mapping(name_or_path: str | Path) -> Mapping:
    """Load a shipped mapping by name (``kcs``, ``bordermark``) or any YAML file by path."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.exists():
        text, where = path.read_text(encoding="utf-8"), str(path)
    else:
        res = resources.files("bordermark.ingest") / "mappings" / f"{name_or_path}.yaml"
        if not res.is_file():
            known = ", ".join(available())
            raise IngestError(str(name_or_path), None, None, f"unknown format; shipped formats: {known}")
        text, where = res.read_text(encoding="utf-8"), f"{name_or_path}.yaml"
    try:
        raw: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise IngestError(where, None, None, f"not valid YAML: {exc}") from exc
    try:
        return Mapping.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise IngestError(where, None, loc, first["msg"]) from exc
