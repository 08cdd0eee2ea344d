"""Squatting watch: trademark filings that resemble a registered or famous mark, filed by someone else.

Flow: for each filing the :class:`MarkIndex` proposes candidates, each is judged in full
(:func:`similarity.compare`), marks that the applicant holds or is licensed for are set aside, and a filing whose
best remaining candidate is confusing becomes an alert. Then applicants are looked at as a whole: one that files
look-alikes of several famous marks is flagged, and its alerts move up the ranking.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import field_validator
from rapidfuzz import fuzz

from bordermark.domain.codes import check_nice_class
from bordermark.domain.records import TrademarkFiling
from bordermark.domain.rights import Registry, RightType
from bordermark.marks.index import Candidate, MarkIndex
from bordermark.marks.similarity import DEFAULT_CONFIG, Comparison, SimilarityConfig
from bordermark.marks.text import fold, plain


class WatchedFiling(TrademarkFiling):
    """A filing as the watch reads it: Nice classes checked (1-45), since goods decide half the judgement."""

    @field_validator("nice_classes", mode="before")
    @classmethod
    def _classes(cls, v: Any) -> tuple[int, ...]:
        return tuple(check_nice_class(c) for c in (v or ()))


@dataclass(frozen=True)
class WatchConfig:
    candidates: int = 5  # ranked candidate marks reported per alert
    serial_min_famous: int = 2  # distinct famous marks an applicant must imitate to be flagged
    serial_min_alerts: int = 3  # or this many alerts overall
    serial_boost: float = 0.3  # share of the distance to 1.0 closed for a serial applicant
    same_party_ratio: int = 90  # token-set ratio at which two company names are taken as one party
    # Scope of protection (see SquatWatch.scope): the mark similarity a filing needs to be an alert rather than a
    # notice, for an ordinary mark, and for a famous mark on unrelated goods. 0.93 is what a reproduction scores:
    # identical, look-alike characters, the mark with generic words added, its registered Chinese name, a homophone.
    ordinary_min_mark: float = 0.93
    famous_unrelated_min_mark: float = 0.93
    similarity: SimilarityConfig = field(default_factory=SimilarityConfig)


@dataclass
class Alert:
    filing: TrademarkFiling
    score: float
    reasons: list[str]
    candidates: list[Candidate]
    applicant_flagged: bool = False
    notice: bool = False  # similar, but outside the earlier mark's scope for a squat (see SquatWatch.scope)

    def to_dict(self) -> dict[str, Any]:
        return {
            "filing_id": self.filing.id, "mark_text": self.filing.mark_text, "applicant": self.filing.applicant,
            "score": round(self.score, 4), "applicant_flagged": self.applicant_flagged, "notice": self.notice,
            "reasons": self.reasons,
            "candidates": [{"mark_id": c.mark_id, "mark": c.mark, "score": round(c.score, 4),
                            "components": {k: round(v.score, 3) for k, v in c.comparison.components.items()}}
                           for c in self.candidates],
        }


@dataclass(frozen=True)
class ApplicantFlag:
    applicant: str
    alerts: int
    famous_marks: tuple[str, ...]
    filing_ids: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"applicant": self.applicant, "alerts": self.alerts, "famous_marks": list(self.famous_marks),
                "filing_ids": list(self.filing_ids)}


@dataclass
class WatchReport:
    alerts: list[Alert]
    applicants: list[ApplicantFlag]
    filings: int
    notices: list[Alert] = field(default_factory=list)  # similar, but beyond the earlier mark's scope for a squat


_LEGAL = re.compile(r"\b(inc|ltd|limited|llc|gmbh|co|corp|corporation|company|s\.?p\.?a|sa|sarl|bv|b\.v|ag|"
                    r"kg|plc|sas|srl|s\.?l|kk|group|holdings?|trading|international)\b\.?")
_HAN_LEGAL = ("有限责任公司", "股份有限公司", "有限公司", "公司", "集团")


def party_key(name: str) -> str:
    """A company name without legal forms and punctuation: 'Kao Corporation' ~ 'KAO Corp.'."""
    s = fold(name)
    for suffix in _HAN_LEGAL:
        s = s.replace(suffix, " ")
    s = _LEGAL.sub(" ", s)
    return " ".join(re.sub(r"[^\w\u3400-\u9fff]+", " ", s).split())


class SquatWatch:
    """Holds the index and the party lists of one registry snapshot; :meth:`run` is pure over filings."""

    def __init__(self, registry: Registry, config: WatchConfig | None = None) -> None:
        self.config = config or WatchConfig()
        marks = [m for m in registry.marks if m.right_type is RightType.TRADEMARK]
        self.index = MarkIndex.from_marks(marks)
        self.marks = {m.id: m for m in marks}
        self._parties: dict[str, set[str]] = defaultdict(set)  # mark id -> party keys allowed to file it
        marks_of: dict[str, list[str]] = defaultdict(list)
        for m in marks:
            self._parties[m.id].add(party_key(m.holder))
            marks_of[m.holder].append(m.id)
        for p in registry.parties:
            for mid in marks_of.get(p.holder, ()):
                if not p.marks or self.marks[mid].text in p.marks:
                    self._parties[mid].add(party_key(p.name))

    def _entitled(self, applicant: str, mark_id: str) -> bool:
        key = party_key(applicant)
        if not key:
            return False
        allowed = self._parties.get(mark_id, set())
        return key in allowed or any(fuzz.token_set_ratio(key, a) >= self.config.same_party_ratio
                                     for a in allowed if a)

    def _own_name(self, text: str, mark_id: str) -> bool:
        mark = self.marks[mark_id]
        return plain(text) in {plain(n) for n in (mark.text, *(a.text for a in mark.aliases))}

    def check(self, filing: TrademarkFiling) -> Alert | None:
        """An alert when the filing is confusing with a mark its applicant is not entitled to, else ``None``."""
        alert = self.examine(filing)
        return alert if alert is not None and not alert.notice else None

    def scope(self, mark_famous: bool, comparison: Comparison) -> str | None:
        """Why a confusing filing falls outside what a squat watch should alert on, or ``None`` when it does not.

        The more distinctive and reputed the earlier mark, the wider its protection (the interdependence
        examiners apply). A famous mark is protected on the same and related goods against any confusing sign,
        and on unrelated goods only against a reproduction, imitation or translation of it (Paris Convention
        art. 6bis; PRC Trademark Law art. 13). An ordinary mark's owner is protected against squatters, who copy
        it; a new mark that merely resembles an ordinary one (a letter changed, a syllable added) is a conflict
        for the owner to oppose, reported as a notice rather than an alert.
        """
        ms = comparison.mark_score
        if not mark_famous and ms < self.config.ordinary_min_mark:
            return (f"resembles an ordinary (not famous) mark without reproducing it (mark similarity {ms:.2f} < "
                    f"{self.config.ordinary_min_mark:.2f}): a conflict for its holder to oppose, not a squat")
        if mark_famous and comparison.goods == "unrelated" and ms < self.config.famous_unrelated_min_mark:
            return (f"on goods unrelated to the famous mark's, only a reproduction, imitation or translation is "
                    f"reached (mark similarity {ms:.2f} < {self.config.famous_unrelated_min_mark:.2f})")
        return None

    def examine(self, filing: TrademarkFiling) -> Alert | None:
        """The alert (or, when the similar mark's scope does not reach the filing, the notice), else ``None``."""
        sim: SimilarityConfig = self.config.similarity or DEFAULT_CONFIG
        found = self.index.search(filing.mark_text, filing.nice_classes, limit=self.config.candidates + 5,
                                  config=sim)
        entitled = [c for c in found if c.comparison.confusing and self._entitled(filing.applicant, c.mark_id)]
        if entitled and entitled[0] is found[0]:
            return None  # the holder (or its licensee) extends its own mark
        if any(self._own_name(filing.mark_text, c.mark_id) for c in entitled):
            return None  # it files one of its own registered names; a third party's similar mark coexists already
        others = [c for c in found if not self._entitled(filing.applicant, c.mark_id)]
        if not others or not others[0].comparison.confusing:
            return None
        top = others[0]
        mark = self.marks[top.mark_id]
        reasons = [f"resembles {mark.text} ({top.mark_id}) of {mark.holder}: {top.comparison.explanation}",
                   f"applicant '{filing.applicant}' is neither the holder nor an authorised party of {mark.text}"]
        if mark.famous:
            reasons.append(f"{mark.text} is famous")
        outside = self.scope(mark.famous, top.comparison)
        if outside:
            reasons.append(outside)
        return Alert(filing, top.score, reasons, others[: self.config.candidates], notice=outside is not None)

    def run(self, filings: Iterable[TrademarkFiling]) -> WatchReport:
        alerts: list[Alert] = []
        notices: list[Alert] = []
        n = 0
        for filing in filings:
            n += 1
            alert = self.examine(filing)
            if alert:
                (notices if alert.notice else alerts).append(alert)
        flags = self._flag_applicants(alerts)
        alerts.sort(key=lambda a: (-a.score, a.filing.id))
        notices.sort(key=lambda a: (-a.score, a.filing.id))
        return WatchReport(alerts, flags, n, notices)

    def _flag_applicants(self, alerts: Sequence[Alert]) -> list[ApplicantFlag]:
        by_applicant: dict[str, list[Alert]] = defaultdict(list)
        for a in alerts:
            by_applicant[party_key(a.filing.applicant) or a.filing.applicant].append(a)
        flags: list[ApplicantFlag] = []
        for group in by_applicant.values():
            famous = sorted({self.marks[a.candidates[0].mark_id].text for a in group
                             if self.marks[a.candidates[0].mark_id].famous})
            if len(famous) < self.config.serial_min_famous and len(group) < self.config.serial_min_alerts:
                continue
            flags.append(ApplicantFlag(group[0].filing.applicant, len(group), tuple(famous),
                                       tuple(a.filing.id for a in group)))
            for a in group:
                a.applicant_flagged = True
                a.score = a.score + self.config.serial_boost * (1.0 - a.score)  # up, and still ranked
                a.reasons.append(f"applicant filed {len(group)} look-alike(s) of registered marks"
                                 + (f", {len(famous)} of them famous ({', '.join(famous)})" if famous else ""))
        flags.sort(key=lambda f: (-len(f.famous_marks), -f.alerts, f.applicant))
        return flags
