"""A small KCS-shaped CSV written by the tests themselves (same generator as tests/ingest; kept per package)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

KCS_COLUMNS = [
    "Declaration ID", "Date", "Office ID", "Process Type", "Import Type", "Import Use", "Payment Type",
    "Mode of Transport", "Declarant ID", "Importer ID", "Seller ID", "Courier ID", "HS6 Code", "Country of Departure",
    "Country of Origin", "Tax Rate", "Tax Type", "Country of Origin Indicator", "Net Mass", "Item Price", "Fraud",
    "Critical Fraud",
]


def write_kcs(path: Path, n: int = 400, seed: int = 0, start_day: int = 1) -> Path:
    """Fraud is learnable: HS 620342 from importer group 'BAD*' is fraud; critical = also origin CN + low price."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(KCS_COLUMNS)
        for i in range(n):
            bad = rng.random() < 0.25
            hs = "620342" if bad else rng.choice(["440890", "690722", "851830", "300450"])
            importer = f"BAD{rng.randint(0, 5)}" if bad else f"IMP{rng.randint(0, 40)}"
            origin = "CN" if bad and rng.random() < 0.5 else rng.choice(["BE", "US", "JP"])
            price = rng.uniform(1000, 5000) if bad else rng.uniform(10000, 90000)
            fraud = 1 if bad and rng.random() < 0.9 else (1 if rng.random() < 0.03 else 0)
            critical = 2 if fraud and origin == "CN" and price < 3000 else fraud
            day = start_day + i * 60 // n
            w.writerow([
                f"{seed}{i:06d}", f"2020-{1 + day // 28:02d}-{1 + day % 28:02d}", rng.choice(["10", "20", "30"]),
                "B", "11", "21", "11", rng.choice(["10", "40"]), f"DCL{rng.randint(0, 9)}", importer,
                f"SEL{rng.randint(0, 30)}" if rng.random() < 0.9 else "", "", hs, origin, origin,
                f"{rng.choice([0.0, 8.0, 13.0])}", "A", "Y", f"{rng.uniform(1, 500):.1f}", f"{price:.2f}", fraud,
                critical,
            ])
    return path
