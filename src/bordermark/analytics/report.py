"""Exportable reports: one CSV per table, a self-contained HTML report (inline SVG charts), and a PDF."""

from __future__ import annotations

import csv
import html
import io
from datetime import datetime
from typing import Any

from bordermark.analytics import plots
from bordermark.analytics.stats import Tables


def table_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    if rows:
        writer = csv.DictWriter(buf, fieldnames=list(rows[0].keys()), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return buf.getvalue()


def _html_table(name: str, rows: list[dict[str, Any]]) -> str:
    if not rows:
        return f"<p>No data for {html.escape(name)}.</p>"
    head = "".join(f"<th scope='col'>{html.escape(str(k))}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in r.values())
                   + "</tr>" for r in rows)
    return f"<table><caption>{html.escape(name.replace('_', ' '))}</caption><thead><tr>{head}</tr></thead>" \
           f"<tbody>{body}</tbody></table>"


def html_report(tables: Tables, generated: datetime) -> str:
    """A single HTML file (charts inline as SVG) that can be mailed or archived with a case file."""
    parts = [f"<h1>Bordermark report</h1><p>Generated {generated:%Y-%m-%d %H:%M} UTC. Totals: "
             + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in tables.totals.items()) + ".</p>"]
    for name, rows in tables.named().items():
        svg = plots.render(tables, name, "svg").decode("utf-8") if name in plots.PLOTS else ""
        svg = svg[svg.find("<svg"):] if "<svg" in svg else ""
        parts.append(f"<section><h2>{html.escape(name.replace('_', ' ').capitalize())}</h2>{svg}"
                     f"{_html_table(name, rows)}</section>")
    style = ("body{font-family:system-ui,sans-serif;max-width:1000px;margin:auto;padding:1rem;color:#1b1f24}"
             "table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #d5dae1;padding:.3rem .5rem;"
             "text-align:left}caption{text-align:left;color:#5b6470}svg{max-width:100%;height:auto}")
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Bordermark report</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>")


def pdf_report(tables: Tables, generated: datetime) -> bytes:
    """Every chart on its own page, and the tables as text, in one PDF."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    buf = io.BytesIO()
    with plots.LOCK, PdfPages(buf, metadata={"Title": "Bordermark report", "CreationDate": None}) as pdf:
        fig = plt.figure(figsize=(8.27, 11.69))
        lines = [f"Bordermark report, generated {generated:%Y-%m-%d %H:%M} UTC", ""]
        lines += [f"{k.replace('_', ' ')}: {v}" for k, v in tables.totals.items()]
        for name, rows in tables.named().items():
            lines += ["", name.replace("_", " ")]
            lines += ["  " + ", ".join(f"{k}={v}" for k, v in r.items()) for r in rows[:12]]
        fig.text(0.05, 0.97, "\n".join(lines[:90]), va="top", family="monospace", fontsize=6.5)
        pdf.savefig(fig)
        plt.close(fig)
        for name in plots.PLOTS:
            fig = plots.figure(tables, name)
            pdf.savefig(fig)
            plt.close(fig)
    return buf.getvalue()
