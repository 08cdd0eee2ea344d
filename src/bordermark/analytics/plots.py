"""Charts drawn server-side with matplotlib (Agg backend): SVG for pages and HTML reports, PNG on request.

Why server-side: the pages must work offline and with a strict content security policy, so no charting
library runs in the browser; an SVG is small, sharp at any width and needs no script.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from bordermark.analytics.stats import DIMENSIONS, Tables

BLUE, RED, GREY = "#1d4e89", "#a4161a", "#9aa3ad"
PLOTS = (*(f"detentions_by_{d}" for d in DIMENSIONS), "hit_rates", "deadlines", "queue_ages")


def _empty(ax: Any, title: str) -> None:
    ax.set_title(title)
    ax.text(0.5, 0.5, "no data yet", ha="center", va="center", transform=ax.transAxes, color=GREY)
    ax.set_xticks([])
    ax.set_yticks([])


def _dimension(tables: Tables, dim: str) -> Figure:
    rows = tables.by_dimension.get(dim, [])[:15]
    fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    title = f"Detentions and seizures by {dim.replace('_', ' ')}"
    if not rows:
        _empty(ax, title)
        return fig
    labels = [str(r[dim]) for r in rows]
    x = range(len(rows))
    ax.bar([i - 0.2 for i in x], [r["detentions"] for r in rows], width=0.4, color=BLUE, label="detentions")
    ax.bar([i + 0.2 for i in x], [r["seizures"] for r in rows], width=0.4, color=RED, label="seizures")
    ax.set_xticks(list(x), labels, rotation=30 if len(rows) > 4 else 0, ha="right" if len(rows) > 4 else "center")
    ax.set_title(title)
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _hit_rates(tables: Tables) -> Figure:
    fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
    rows = tables.hit_rates
    title = "Inspection hit rate: targeted versus random"
    if not rows:
        _empty(ax, title)
        return fig
    labels = [f"{r['selection']} (n={r['inspected']})" for r in rows]
    rates = [r["hit_rate"] for r in rows]
    err = [[r["hit_rate"] - r["ci_low"] for r in rows], [r["ci_high"] - r["hit_rate"] for r in rows]]
    ax.barh(labels, rates, xerr=err, color=[BLUE if r["selection"] == "target" else GREY for r in rows])
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of inspections with a violation or counterfeit (95 % interval)")
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _deadlines(tables: Tables) -> Figure:
    fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
    rows = tables.deadlines
    title = "Legal deadlines met and missed"
    if not rows:
        _empty(ax, title)
        return fig
    labels = [r["deadline"].replace("_", " ") for r in rows]
    met = [r["met"] for r in rows]
    missed = [r["missed"] for r in rows]
    ax.barh(labels, met, color=BLUE, label="met")
    ax.barh(labels, missed, left=met, color=RED, label="missed")
    ax.set_title(title)
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _queue_ages(tables: Tables) -> Figure:
    fig, ax = plt.subplots(figsize=(7, 3.0), layout="constrained")
    rows = tables.queue_ages
    title = "Age of open queue items (hours)"
    if not rows:
        _empty(ax, title)
        return fig
    labels = [f"{r['queue']} ({r['open']})" for r in rows]
    ax.barh(labels, [r["median_hours"] for r in rows], color=BLUE, label="median")
    ax.scatter([r["p90_hours"] for r in rows], labels, color=RED, zorder=3, label="90th percentile")
    ax.set_title(title)
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def figure(tables: Tables, name: str) -> Figure:
    builders: dict[str, Callable[[], Figure]] = {
        **{f"detentions_by_{d}": (lambda d=d: _dimension(tables, d)) for d in DIMENSIONS},  # type: ignore[misc]
        "hit_rates": lambda: _hit_rates(tables),
        "deadlines": lambda: _deadlines(tables),
        "queue_ages": lambda: _queue_ages(tables),
    }
    if name not in builders:
        raise KeyError(name)
    return builders[name]()


# pyplot keeps global state; the web server renders from several threads, so drawing is serialised.
LOCK = threading.Lock()


def render(tables: Tables, name: str, fmt: str = "svg") -> bytes:
    """The chart ``name`` (one of :data:`PLOTS`) as SVG or PNG bytes."""
    buf = io.BytesIO()
    with LOCK:
        fig = figure(tables, name)
        try:
            fig.savefig(buf, format=fmt, dpi=110, metadata={"Date": None} if fmt == "svg" else None)
        finally:
            plt.close(fig)
    return buf.getvalue()
