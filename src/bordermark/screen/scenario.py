"""Versioned screening scenarios: the weights, thresholds and signal families that turn features into a score.

Why versioned (draft -> published): an alert must be replayable months later, so every screening result and
every review decision stores the scenario version it used; a published scenario is never edited, a change is a
new draft. A trained model is a scenario too: training writes its calibrated coefficients into a new draft.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bordermark.screen.features import FEATURES


class ScenarioStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


DEFAULT_WEIGHTS: dict[str, float] = {
    "brand_hit": 2.0,
    "brand_disguised": 2.5,
    "counterfeit_terms": 3.0,
    "factory_origin": 1.8,
    "contact_cues": 1.2,
    "import_channel_cues": -1.5,
    "price_below_genuine": 4.0,
    "price_near_genuine": -1.5,
    "seller_unauthorised": 1.0,
    "seller_authorised": -5.0,
    "seller_confirmed_fakes": 4.0,
    "seller_cleared": -1.0,
    "ships_from_outside_network": 0.6,
    "category_unrelated": -2.5,
    "brand_context_weak": -2.5,
    "brand_ambiguous": -1.5,
    "image_counterfeit_match": 3.0,
    "image_genuine_copy_cheap": 2.0,
}

DEFAULT_FAMILIES: dict[str, list[str]] = {
    # "<code> <family>" of a bordermark.detect Signal, lower case, matched by substring; the first family that
    # matches wins, so the specific factory/contact cues come before the generic trade terms.
    "factory_origin": ["tt_oem", "tt_factory", "tt_original_order", "tt_leaked", "oem", "factory"],
    "contact_cues": [" contact", "ct_"],
    "counterfeit_terms": ["trade_term", "quality_claim", "replica", "fake", "counterfeit"],
}


IMPORT_CHANNEL_PHRASES: list[str] = [
    "imported from", "import from", "grey import", "gray import", "parallel import", "duty free", "duty-free",
    "overseas stock", "overseas version", "no local warranty", "warranty may not apply", "eu version",
    "us version", "jp version", "hk version", "international version", "bought in", "海外代购", "代购", "直邮",
    "免税", "海外版", "无国内保修", "港版", "日版", "美版", "欧版",
]


class ScenarioConfig(BaseModel):
    """Everything a screening run needs besides the registry; stored as JSON with its version.

    ``alert_spread`` (log-odds): below the alert threshold the score is the calibrated probability; above it,
    the log-odds beyond the threshold are mapped onto (threshold, 1) as ``1 - exp(-excess / alert_spread)``,
    so alerts keep ranking instead of piling up at 1.0 (the decision boundary itself is unchanged). ``None``
    reports the plain probability everywhere.
    """

    model_config = ConfigDict(extra="forbid")

    bias: float = -5.0
    weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    alert_threshold: float = Field(default=0.5, gt=0, lt=1)
    alert_spread: float | None = Field(default=3.0, gt=0)
    parallel_min_price_ratio: float = Field(default=0.6, ge=0)
    image_max_distance: int = Field(default=6, ge=0, le=32)
    history_saturation: int = Field(default=2, ge=1)
    plain_methods: list[str] = Field(default_factory=lambda: ["exact", "alias"])
    signal_families: dict[str, list[str]] = Field(default_factory=lambda: {k: list(v) for k, v in
                                                                          DEFAULT_FAMILIES.items()})
    import_channel_phrases: list[str] = Field(default_factory=lambda: list(IMPORT_CHANNEL_PHRASES))
    model: dict[str, object] | None = None  # training provenance (rows, metrics, when) when trained

    @field_validator("weights")
    @classmethod
    def _known(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - set(FEATURES))
        if unknown:
            raise ValueError(f"unknown feature(s) {', '.join(unknown)}; known: {', '.join(FEATURES)}")
        return v


class Scenario(BaseModel):
    model_config = ConfigDict(frozen=True)

    version: int = 0  # 0 = the built-in default, used until a scenario is published
    status: ScenarioStatus = ScenarioStatus.PUBLISHED
    name: str = "built-in default"
    config: ScenarioConfig = Field(default_factory=ScenarioConfig)


BUILTIN = Scenario()
