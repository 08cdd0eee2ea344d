"""The synthetic cross-border e-commerce world: a registry, actors, listings, customs records, filings and
provenance dossiers, with ground truth kept apart under ``truth/``. Entry point: :func:`generate`."""

from bordermark.sim.output import RecordFormat
from bordermark.sim.params import SIZES, Counts, ListingMix, SimParams, Size
from bordermark.sim.world import WorldSummary, generate

__all__ = ["SIZES", "Counts", "ListingMix", "RecordFormat", "SimParams", "Size", "WorldSummary", "generate"]
