"""Model features from the canonical declaration table; pure and vectorised (polars), no I/O.

Which columns become which feature is decided by each field's ``role`` in the mapping, so the same code serves KCS
and Bordermark's own format. Label-based entity histories (fraud rate of an importer, of an HS code with a country)
are NOT computed here: CatBoost's ordered target statistics with ``has_time`` compute them over the time-sorted
training rows, each row seeing only earlier rows, which is the leak-free, out-of-fold history the issue asks for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import polars as pl

from bordermark.ingest.frame import TIME
from bordermark.ingest.mapping import Mapping

MISSING = "NA"


@dataclass(frozen=True)
class FeatureSpec:
    """The ordered feature list a model was trained on; saved with the model so scoring builds the same frame."""

    categorical: list[str] = field(default_factory=list)
    numeric: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [*self.categorical, *self.numeric]

    def to_dict(self) -> dict[str, list[str]]:
        return {"categorical": self.categorical, "numeric": self.numeric}

    @classmethod
    def from_dict(cls, d: dict[str, list[str]]) -> FeatureSpec:
        return cls(categorical=list(d["categorical"]), numeric=list(d["numeric"]))


def feature_spec(mapping: Mapping) -> FeatureSpec:
    """Features derived from the mapping's roles: categories and entities as-is, HS codes at 2/4/6 digits, money."""
    cats = mapping.columns("category", "entity", "hs")
    for hs in mapping.columns("hs"):
        cats += [f"{hs}_2", f"{hs}_4"]
    nums = mapping.columns("numeric", "value", "mass")
    if "origin" in mapping.fields and "country_of_departure" in mapping.fields:
        cats.append("origin_is_departure")
    if mapping.columns("value"):
        nums.append("log_value")
        if mapping.columns("mass"):
            nums.append("log_value_per_kg")
    nums += ["weekday", "day_of_month"]
    return FeatureSpec(categorical=cats, numeric=nums)


def build_features(frame: pl.DataFrame, mapping: Mapping, spec: FeatureSpec) -> pd.DataFrame:
    """The model's input frame, columns in ``spec`` order; categories as text with ``NA`` for missing.

    Categories travel as pandas ``category`` columns (dictionary-encoded through Arrow): CatBoost then reads each
    distinct value once instead of a million Python strings, which makes its Pool 6x cheaper to build; the values,
    and so the model's hashes and predictions, are the same as with plain text columns."""
    exprs: list[pl.Expr] = []
    for hs in mapping.columns("hs"):
        code = pl.col(hs).cast(pl.String).str.replace_all(r"[^0-9]", "")
        exprs += [code.str.slice(0, 2).alias(f"{hs}_2"), code.str.slice(0, 4).alias(f"{hs}_4")]
    if "origin_is_departure" in spec.categorical:
        same = pl.col("origin") == pl.col("country_of_departure")
        exprs.append(same.cast(pl.String).alias("origin_is_departure"))
    values, masses = mapping.columns("value"), mapping.columns("mass")
    if values:
        exprs.append(pl.col(values[0]).cast(pl.Float64).log1p().alias("log_value"))
        if masses:
            per_kg = pl.col(values[0]).cast(pl.Float64) / (pl.col(masses[0]).cast(pl.Float64) + 1e-3)
            exprs.append(per_kg.log1p().alias("log_value_per_kg"))
    exprs += [pl.col(TIME).dt.weekday().cast(pl.Float64).alias("weekday"),
              pl.col(TIME).dt.day().cast(pl.Float64).alias("day_of_month")]
    enriched = frame.with_columns(exprs)
    out = enriched.select(
        [pl.col(c).cast(pl.String).fill_null(MISSING).cast(pl.Categorical).alias(c) for c in spec.categorical]
        + [pl.col(c).cast(pl.Float64).alias(c) for c in spec.numeric]
    )
    return out.to_pandas()
