"""Record ids come back exactly as given: orjson (3.13) reads an integer beyond 64 bits as a float, which would
have written ``123456789012345678901234567890`` back as ``1.2345678901234568e+29``."""

from __future__ import annotations

import json

from bordermark.detect import Detector
from bordermark.detect.stream import process_lines
from bordermark.domain import Holder, Mark, Registry


def _detector() -> Detector:
    holder = Holder(name="Gucci SpA")
    return Detector.from_registry(Registry(holders=(holder,), marks=(Mark(holder=holder.name, text="Gucci"),)))


def test_ids_beyond_64_bits_and_float_ids_are_written_back_unchanged() -> None:
    lines = ['{"id": 123456789012345678901234567890, "text": "Gucci bag"}',
             '{"id": -98765432109876543210, "title": "plain socks"}',
             '{"id": 2.5, "text": "Gucci"}', '{"id": 7, "text": "Gucci"}']
    out = [json.loads(str(x)) for x in process_lines(_detector(), lines)]
    assert [o["id"] for o in out] == [123456789012345678901234567890, -98765432109876543210, 2.5, 7]
    assert out[0]["hits"] and out[0]["hits"][0]["matched"] == "Gucci"
    assert '"id":123456789012345678901234567890' in str(next(iter(process_lines(_detector(), lines[:1]))))
