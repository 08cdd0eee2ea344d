"""Statistics and charts over cases, inspections and queues: detentions and seizures by channel, right type,
category, origin, brand and month; hit rates of targeted versus random inspections; queue ages; deadlines met.

``collect`` reads the store into plain rows, ``stats`` computes tables from them (pure), ``plots`` draws them with
matplotlib (server-side, no browser library), ``report`` writes CSV, HTML and PDF.
"""

from bordermark.analytics.collect import collect
from bordermark.analytics.stats import Tables, compute

__all__ = ["Tables", "collect", "compute"]
