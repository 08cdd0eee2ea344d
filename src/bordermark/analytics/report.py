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


PDF_ROWS_PER_PAGE = 46


def _pdf_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def pdf_report(tables: Tables, generated: datetime) -> bytes:
    """An A4 PDF an officer can file or send: a cover with the totals, then for every table its chart and the
    table itself with every row (continued over as many pages as it needs, the header repeated)."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    buf = io.BytesIO()
    a4 = (8.27, 11.69)
    with plots.LOCK, PdfPages(buf, metadata={"Title": "Bordermark report", "CreationDate": None}) as pdf:
        fig = plt.figure(figsize=a4)
        fig.text(0.08, 0.93, "Bordermark report", fontsize=20, weight="bold")
        fig.text(0.08, 0.90, f"Generated {generated:%Y-%m-%d %H:%M} UTC", fontsize=10, color="#5b6470")
        totals = list(tables.totals.items())
        for i, (k, v) in enumerate(totals):
            fig.text(0.08, 0.85 - i * 0.025, k.replace("_", " ").capitalize(), fontsize=11)
            fig.text(0.60, 0.85 - i * 0.025, str(v), fontsize=11, weight="bold")
        pdf.savefig(fig)
        plt.close(fig)
        for name in plots.PLOTS:
            fig = plots.figure(tables, name)
            pdf.savefig(fig)
            plt.close(fig)
        for name, rows in tables.named().items():
            title = name.replace("_", " ").capitalize()
            pages = [rows[i:i + PDF_ROWS_PER_PAGE] for i in range(0, len(rows), PDF_ROWS_PER_PAGE)] or [[]]
            for n, chunk in enumerate(pages, 1):
                fig = plt.figure(figsize=a4)
                more = f" (page {n} of {len(pages)})" if len(pages) > 1 else ""
                fig.text(0.06, 0.95, f"{title}{more}", fontsize=14, weight="bold")
                if not chunk:
                    fig.text(0.06, 0.91, "No data.", fontsize=10)
                else:
                    ax = fig.add_axes((0.04, 0.05, 0.92, 0.87))
                    ax.axis("off")
                    cols = list(rows[0].keys())
                    tab = ax.table(cellText=[[_pdf_cell(r.get(c)) for c in cols] for r in chunk],
                                   colLabels=[c.replace("_", " ") for c in cols], loc="upper left",
                                   cellLoc="left", colLoc="left")
                    tab.auto_set_font_size(False)
                    tab.set_fontsize(7 if len(cols) > 6 else 8)
                    tab.scale(1, 1.25)
                    for (r, _), cell in tab.get_celld().items():
                        cell.set_edgecolor("#d5dae1")
                        if r == 0:
                            cell.set_facecolor("#eef1f5")
                            cell.set_text_props(weight="bold")
                pdf.savefig(fig)
                plt.close(fig)
    return buf.getvalue()
