"""``bordermark.ingest`` loads its readers on first use, so the shared line reader comes without polars."""

from __future__ import annotations

import subprocess
import sys

import pytest

import bordermark.ingest as ingest


def test_line_reader_does_not_pull_polars() -> None:
    code = ("import sys, bordermark.ingest.jsonl\n"
            "print('polars' in sys.modules, 'bordermark.ingest.frame' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_every_exported_name_resolves_to_its_module() -> None:
    from bordermark.ingest.frame import read_frame
    from bordermark.ingest.records import iter_parcels

    assert ingest.read_frame is read_frame
    assert ingest.iter_parcels is iter_parcels
    for name in ingest.__all__:
        assert callable(getattr(ingest, name)), name
    assert set(ingest.__all__) <= set(dir(ingest))


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'read_fram'"):
        ingest.read_fram  # noqa: B018
