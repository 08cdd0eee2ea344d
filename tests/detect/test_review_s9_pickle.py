"""A detector pickled where the compiled module is (or is not) built detects the same where it is not (or is).

Why: Spark broadcasts the detector, and the driver and the executors need not have the same build (``pip install``
compiles the detection core only where it can). The hyperscan matchers already travel as their keys; the compiled
word pass's memo (a ``_fast.WordTable`` or, on the pure path, a dict) must not tie the pickle to the build either."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import bordermark.detect

RUNNER = r'''
import json, pickle, sys
from pathlib import Path

if sys.argv[1] == "pure":
    sys.modules["bordermark.detect._fast"] = None
import bordermark.detect
from bordermark.detect import Detector
from bordermark.domain import Holder, Mark, Registry

texts = ["GUCCI bag", "Guccii bag replica", "COACH wallet", "louis vuitton belt", "nothing here", "Ch@nel"]
path = Path(sys.argv[3])
if sys.argv[2] == "dump":
    marks = tuple(Mark(holder=h, text=t, nice_classes=(18, 25), external_id=f"M-{t}")
                  for h, t in [("Gucci", "GUCCI"), ("Coach", "COACH"), ("LV", "LOUIS VUITTON"), ("Chanel", "CHANEL")])
    det = Detector.from_registry(Registry(holders=tuple(Holder(name=m.holder) for m in marks), marks=marks))
    det.detect_many(texts)  # the caches hold something
    path.write_bytes(pickle.dumps(det))
else:
    det = pickle.loads(path.read_bytes())
print(json.dumps([d.to_dict() for d in det.detect_many(texts)]))
'''


def _run(mode: str, action: str, path: Path) -> str:
    proc = subprocess.run([sys.executable, "-c", RUNNER, mode, action, str(path)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


@pytest.mark.skipif(not bordermark.detect.COMPILED, reason="compiled detection core not built (pure Python only)")
@pytest.mark.parametrize(("made", "used"), [("pure", "default"), ("default", "pure")])
def test_a_pickled_detector_works_under_the_other_build(made: str, used: str, tmp_path: Path) -> None:
    path = tmp_path / "det.pkl"
    want = _run(made, "dump", path)
    assert '"mark_id"' in want
    assert _run(used, "load", path) == want
