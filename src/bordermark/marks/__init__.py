"""Covert counterfeits: mark similarity (appearance, sound, meaning, goods, fame), squatting watch, provenance.

Pure cores: :mod:`similarity` judges two marks, :mod:`index` proposes candidates, :mod:`watch` turns filings into
alerts, :mod:`provenance` gives a verdict on a consignment's documents. No I/O here except :mod:`io`.
"""

from bordermark.marks.similarity import Comparison, Component, EarlierMark, compare, compare_mark, compare_texts

__all__ = ["Comparison", "Component", "EarlierMark", "compare", "compare_mark", "compare_texts"]
