"""Case file export: a self-contained HTML dossier (no external assets; prints to PDF from any browser) and a JSON
document for another agency. Both carry the case's audit trail and the audit chain head at export time, so the
receiving agency can ask for proof that the trail was not rewritten later.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape
from sqlalchemy.orm import Session

from bordermark import audit
from bordermark.cases import service

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))

STATUS_TEXT = {"met": "met", "expired": "missed (deadline passed)", "cancelled": "no longer applicable",
               "open": "running"}

TEMPLATE = _ENV.from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Case {{ c.id }}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#111}
h1{font-size:1.4rem}h2{font-size:1.1rem;border-bottom:1px solid #999;margin-top:1.6rem}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #bbb;padding:.3rem .4rem;text-align:left;
vertical-align:top}th{background:#eee}.missed{color:#a00;font-weight:600}.met{color:#060}
.meta td:first-child{width:14rem;font-weight:600}code{font-size:12px;word-break:break-all}
@media print{body{margin:0}}
</style></head><body>
<h1>Case file {{ c.id }}</h1>
<p>{{ c.title }} &middot; profile <code>{{ c.profile }}</code> &middot; exported {{ exported_at }}</p>
<table class="meta">
<tr><td>State</td><td>{{ c.state }} ({{ c.state_label }})</td></tr>
<tr><td>Goods</td><td>{{ c.goods.kind }} {{ c.goods.id }}, value {{ c.goods.value }} {{ c.goods.currency }}</td></tr>
<tr><td>Rights</td><td>{{ c.rights|join(", ") }}</td></tr>
<tr><td>Right holder</td><td>{{ c.holder_id or "" }}</td></tr>
<tr><td>Opened</td><td>{{ c.opened_at }} by {{ c.opened_by }}</td></tr>
<tr><td>Closed</td><td>{{ c.closed_at or "open" }}</td></tr>
{% if c.parent_case_id %}<tr><td>Linked to</td><td>{{ c.parent_case_id }}</td></tr>{% endif %}
{% if c.facts.appraisal %}<tr><td>Appraisal</td><td>{{ c.facts.appraisal.value }} by
{{ c.facts.appraisal.appraiser }} (was {{ c.facts.appraisal.previous_value }}) on {{ c.facts.appraisal.at }}</td></tr>
{% endif %}
</table>
<h2>Deadlines</h2>
<table><tr><th>Deadline</th><th>Due</th><th>Outcome</th><th>Closed</th><th>Legal basis</th></tr>
{% for d in c.deadlines %}<tr><td><code>{{ d.name }}</code></td><td>{{ d.due }}</td>
<td class="{{ 'missed' if d.status == 'expired' else 'met' if d.status == 'met' else '' }}">
{{ status_text[d.status] }}</td>
<td>{{ d.closed_at or "" }}</td><td>{{ d.basis }}</td></tr>{% endfor %}
</table>
<h2>Timeline</h2>
<table><tr><th>#</th><th>Time</th><th>Event</th><th>By</th><th>State</th><th>Details</th></tr>
{% for e in c.events %}<tr><td>{{ e.seq }}</td><td>{{ e.at }}</td><td>{{ e.name }}</td><td>{{ e.actor }}</td>
<td>{{ e.state_before or "" }} &rarr; {{ e.state_after }}</td><td>{{ e.reason }}
{% for k, v in e.data.items() %}<br><code>{{ k }}={{ v }}</code>{% endfor %}</td></tr>{% endfor %}
</table>
<h2>Guarantee</h2>
<p>{{ c.guarantee.amount }} {{ c.guarantee.currency }} ({{ c.guarantee.status }}) &mdash; {{ c.guarantee.basis }}
{% if c.guarantee.charged %}; costs charged {{ c.guarantee.charged }}{% endif %}</p>
<h2>Evidence</h2>
{% if c.facts.evidence %}<ul>{% for ev in c.facts.evidence %}<li><code>{{ ev.ref }}</code> {{ ev.note }}
({{ ev.at }}, {{ ev.by }})</li>{% endfor %}</ul>{% else %}<p>None recorded.</p>{% endif %}
<h2>Decisions and penalty</h2>
{% if c.penalty %}<p>Confiscation: {{ "yes" if c.penalty.confiscation else "no" }}; fine:
{{ c.penalty.fine or "not set" }} {{ c.penalty.currency }} (legal maximum {{ c.penalty.fine_cap }});
{{ c.penalty.basis }}{% if c.penalty.credit_consequence %}; credit: {{ c.penalty.credit_consequence }}{% endif %}</p>
{% else %}<p>No penalty.</p>{% endif %}
{% if c.facts.credit %}<p>Enterprise credit: {{ c.facts.credit.party }} &mdash;
{{ c.facts.credit.consequence }}</p>{% endif %}
<h2>Disposal</h2>
{% if c.disposal %}<p>{{ c.disposal.method }} ({{ c.disposal.label }}) on {{ c.disposal.at }} by {{ c.disposal.by }};
ruled out first: {{ c.disposal.ruled_out|join(", ") or "none" }}. {{ c.disposal.basis }}</p>
{% else %}<p>Not disposed of.</p>{% endif %}
<h2>Audit trail</h2>
<table><tr><th>Seq</th><th>Time</th><th>Actor</th><th>Action</th><th>Hash</th></tr>
{% for a in trail %}<tr><td>{{ a.seq }}</td><td>{{ a.at }}</td><td>{{ a.actor }}</td><td>{{ a.action }}</td>
<td><code>{{ a.hash }}</code></td></tr>{% endfor %}
</table>
<p>Audit chain head at export: entry {{ head.head_seq }}, <code>{{ head.head_hash }}</code>
({{ "intact" if head.ok else "BROKEN" }}).</p>
</body></html>
""")


def build(session: Session, case_id: str) -> tuple[dict[str, Any], str]:
    """The JSON document and the HTML text of a case file."""
    case = service.get_case(session, case_id)
    trail = [e.to_dict() for e in audit.entries(session, entity_type="case", entity_id=case_id)]
    report = audit.verify(session)
    exported_at = datetime.now(UTC).isoformat()
    doc = {"format": "bordermark-case-file/1", "exported_at": exported_at, "case": case, "audit_trail": trail,
           "audit_head": {"seq": report.head_seq, "hash": report.head_hash, "intact": report.ok}}
    html = TEMPLATE.render(c=case, trail=trail, head=report, exported_at=exported_at, status_text=STATUS_TEXT)
    return doc, html


def export(session: Session, case_id: str, out_dir: Path, *, actor: str) -> list[Path]:
    """Write ``CASE.json`` and ``CASE.html`` into ``out_dir``; the export itself is audited."""
    doc, html = build(session, case_id)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    jpath, hpath = out_dir / f"{case_id}.json", out_dir / f"{case_id}.html"
    jpath.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    hpath.write_text(html, encoding="utf-8")
    audit.append(session, actor=actor, action="case.export", entity_type="case", entity_id=case_id,
                 after={"files": [jpath.name, hpath.name], "audit_head": doc["audit_head"]})
    return [hpath, jpath]
