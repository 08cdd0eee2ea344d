"""Takedown notices: one per platform and right holder, rendered as Markdown, HTML and JSON.

Why one per platform and holder: platforms take notices from the right holder (or its agent) and process them
per listing; grouping the confirmed listings of one holder on one platform is what their forms ask for. The
notice carries the rights basis (mark, registration number, holder) and per listing the evidence a platform
reviewer checks: URL and id, the matched text, the price against the genuine band, the images.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, select_autoescape

MARKDOWN = """# Notice of infringing listings on {{ n.platform }}

**From:** {{ n.holder }}  \\
**Date:** {{ n.date }}

We are the owner of the rights listed below. The listings that follow offer goods that bear our mark without
authorisation and that our review found to be counterfeit. We ask you to remove them.

## Rights basis
{% for r in n.rights %}
- Mark **{{ r.mark }}** ({{ r.mark_id }})
{%- if r.registration_number %}, registration no. {{ r.registration_number }}{% endif %}
{%- if r.jurisdictions %}, {{ r.jurisdictions | join(", ") }}{% endif %}; holder {{ n.holder }}
{% endfor %}

## Listings ({{ n.listings | length }})
{% for l in n.listings %}
### {{ loop.index }}. {{ l.title or l.listing_id }}
- Listing id: `{{ l.listing_id }}`{% if l.url %}; URL: <{{ l.url }}>{% endif %}

- Seller: {{ l.seller or "unknown" }}
- Matched text: {% for m in l.matched %}"{{ m }}"{% if not loop.last %}, {% endif %}{% endfor %}

- Price: {{ l.price or "not given" }}{% if l.genuine_band %} (genuine: {{ l.genuine_band }}){% endif %}

{% if l.images %}- Images: {{ l.images | join(", ") }}
{% endif %}- Evidence: {% for e in l.evidence %}{{ e }}{% if not loop.last %}; {% endif %}{% endfor %}

- Reviewed: {{ l.decided_by }} on {{ l.decided_at }}{% if l.note %} ("{{ l.note }}"){% endif %}

{% endfor %}
I state in good faith that the use described above is not authorised by the rights owner, its agent or the law,
and that the information in this notice is accurate.
"""

HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Notice: {{ n.platform }} / {{ n.holder }}</title></head>
<body>
<h1>Notice of infringing listings on {{ n.platform }}</h1>
<p><strong>From:</strong> {{ n.holder }}<br><strong>Date:</strong> {{ n.date }}</p>
<p>We are the owner of the rights listed below. The listings that follow offer goods that bear our mark without
authorisation and that our review found to be counterfeit. We ask you to remove them.</p>
<h2>Rights basis</h2>
<ul>{% for r in n.rights %}<li>Mark <strong>{{ r.mark }}</strong> ({{ r.mark_id }}){% if r.registration_number %},
registration no. {{ r.registration_number }}{% endif %}; holder {{ n.holder }}</li>{% endfor %}</ul>
<h2>Listings ({{ n.listings | length }})</h2>
<table border="1" cellpadding="4">
<tr><th>Listing</th><th>Seller</th><th>Matched text</th><th>Price</th><th>Genuine band</th><th>Images</th>
<th>Evidence</th></tr>
{% for l in n.listings %}<tr>
<td>{% if l.url %}<a href="{{ l.url }}">{{ l.listing_id }}</a>{% else %}{{ l.listing_id }}{% endif %}<br>
{{ l.title }}</td>
<td>{{ l.seller or "" }}</td><td>{{ l.matched | join(", ") }}</td><td>{{ l.price or "" }}</td>
<td>{{ l.genuine_band or "" }}</td><td>{{ l.images | join(", ") }}</td>
<td><ul>{% for e in l.evidence %}<li>{{ e }}</li>{% endfor %}</ul></td>
</tr>{% endfor %}
</table>
<p>I state in good faith that the use described above is not authorised by the rights owner, its agent or the
law, and that the information in this notice is accurate.</p>
</body></html>
"""

_env = Environment(autoescape=select_autoescape(default=False, default_for_string=False), trim_blocks=True,
                   lstrip_blocks=True)
_html_env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class Notice:
    platform: str
    holder: str
    date: str
    rights: list[dict[str, Any]]
    listings: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {"platform": self.platform, "holder": self.holder, "date": self.date, "rights": self.rights,
                "listings": self.listings}

    def markdown(self) -> str:
        return _env.from_string(MARKDOWN).render(n=self)

    def html(self) -> str:
        return _html_env.from_string(HTML).render(n=self)

    def json_text(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2, default=str)

    @property
    def slug(self) -> str:
        safe = "".join(ch if ch.isalnum() else "-" for ch in f"{self.platform}--{self.holder}".lower())
        return "-".join(p for p in safe.split("-") if p)[:120]
