# ruff: noqa: E501, RUF001 - HTML reads better unwrapped; en dashes stand for "no value".
"""The ward report's HTML (a Jinja2 template; kept in a module so it installs with the code)."""

TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ p.ward.name }} · ward report</title>
<style>
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2a33;
         max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; }
  h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
  h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; border-bottom: 1px solid #d5dde2; }
  .muted { color: #5f6f7a; }
  table { border-collapse: collapse; width: 100%; font-size: .9rem; }
  th, td { text-align: left; padding: .25rem .4rem; border-bottom: 1px solid #e3e8eb; }
  th { color: #5f6f7a; font-weight: 600; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  .map { width: 100%; height: 26rem; border: 1px solid #d5dde2; }
  .incidents-chart { width: 100%; max-width: 44rem; height: auto; }
  .bar { display: flex; height: 12px; background: #eef2f4; min-width: 8rem; }
  .bar span { display: block; height: 100%; }
  .keys span { margin-right: .8rem; font-size: .8rem; color: #5f6f7a; }
  .keys i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
  @media print { .map { height: 20rem; } h2 { break-after: avoid; } table { break-inside: avoid; } }
</style>
</head>
<body>
<header>
  <h1 id="ward-name">{{ p.ward.name }}</h1>
  <p class="muted">Ward {{ p.ward.code }} · {{ p.ward.municipality_name or p.ward.municipality_code }}
    {%- if p.ward.province %} · {{ p.ward.province }}{% endif %}
    · {{ fmt(p.ward.households) }} households · {{ fmt(p.ward.population) }} people</p>
  <p class="muted">From analysis run {{ p.run.id }} ({{ p.run.finished_at.strftime("%d %B %Y %H:%M UTC")
    if p.run.finished_at else "unfinished" }}), period {{ p.period }}; written {{ written }}.</p>
</header>

<h2>The ward and its neighbours</h2>
<p class="muted">Needs index for {{ service_name }}; the ward is outlined in black.</p>
<iframe class="map" id="ward-map" title="Map of the ward and its neighbours"
  srcdoc="{{ map_html }}"></iframe>

<h2>Needs by service</h2>
{% if p.needs.services %}
<p class="keys">{% for name, label, colour in components %}<span><i style="background:{{ colour }}"></i>{{ label }}</span>{% endfor %}</p>
<table id="needs">
<thead><tr><th>Service</th><th class="num">Score</th><th>Points by component</th>
  {% for name, label, colour in components %}<th class="num">{{ label }}</th>{% endfor %}
  <th class="num">Rank</th><th class="num">Evidence</th></tr></thead>
<tbody>
{% for s in p.needs.services %}
<tr><td>{{ s.name }}</td><td class="num">{{ fmt(s.score, 1) }}</td>
  <td><div class="bar">{% for c in s.components %}{% if c.contribution %}<span style="width:{{ c.contribution }}%;background:{{ colours[c.component] }}"></span>{% endif %}{% endfor %}</div></td>
  {% for c in s.components %}<td class="num" title="raw {{ fmt(c.raw, 3) }}">{{ fmt(c.contribution, 1) }}</td>{% endfor %}
  <td class="num">{{ s.rank or "–" }} of {{ s.ranked }}</td><td class="num">{{ pct(s.coverage) }}</td></tr>
{% endfor %}
</tbody></table>
<p class="muted">Score 0-100 from the survey share below the basic level, the Census 2011 share, incidents
and open requests per 1,000 households and the share of requests that broke a service standard; each
column gives the points a component adds. Rank 1 is the greatest need; evidence is the share of the
weights the ward has data for.</p>
{% else %}<p class="muted">No needs scores for this ward.</p>{% endif %}

<h2>Incidents per month</h2>
<div id="incidents-chart">{{ chart_svg }}</div>
<p class="muted">Requests and complaints lodged in the ward per calendar month ({{ p.incidents.timezone }}):
{{ fmt(incident_total) }} in {{ p.incidents.months|length }} months.</p>

<h2>Hotspots</h2>
{% if hotspots %}
<table><thead><tr><th>Service</th><th>Class</th><th class="num">per 1,000 households</th><th class="num">z</th><th class="num">q</th><th>Trend</th></tr></thead>
<tbody>{% for h in hotspots %}<tr><td>{{ h.name }}</td><td>{{ h.label }}</td><td class="num">{{ fmt(h.rate, 1) }}</td>
<td class="num">{{ fmt(h.z, 2) }}</td><td class="num">{{ fmt(h.q, 3) }}</td><td>{{ h.trend or "–" }}</td></tr>{% endfor %}</tbody></table>
<p class="muted">{{ hotspot_method }}</p>
{% else %}<p class="muted">No hotspot results for this ward in the period.</p>{% endif %}

<h2>Survey coverage</h2>
{% if p.survey.households_surveyed %}
<p>{{ fmt(p.survey.households_surveyed) }} households surveyed{% if p.survey.last_collected_at %}, the last on
{{ p.survey.last_collected_at.strftime("%d %B %Y") }}{% endif %}.</p>
<table><thead><tr><th>Service</th><th class="num">Households answering</th><th>Basic level</th><th class="num">Below basic</th></tr></thead>
<tbody>{% for s in p.survey.services %}<tr><td>{{ s.service }}</td><td class="num">{{ fmt(s.households) }}</td>
<td>{{ s.basic_level|replace("_", " ") }}</td><td class="num">{{ pct(s.share_below_basic) }}</td></tr>{% endfor %}</tbody></table>
{% if p.survey.top_needs %}<p class="muted">Needs the households named most: {% for n in p.survey.top_needs[:5] %}{{ n.need }} ({{ pct(n.share) }}){% if not loop.last %}, {% endif %}{% endfor %}.</p>{% endif %}
{% else %}<p class="muted">No households have been surveyed in this ward.</p>{% endif %}

<h2>Backlog and service standards</h2>
{% if standards %}
<table id="standards"><thead><tr><th>Service</th><th class="num">Requests</th><th class="num">Open</th><th class="num">Overdue</th>
<th class="num">Acknowledged in time</th><th class="num">Closed in time</th><th class="num">Median working days</th>
<th class="num">Escalations</th><th class="num">Rank</th></tr></thead>
<tbody>{% for s in standards %}<tr{% if s.service == "all" %} style="font-weight:600"{% endif %}><td>{{ s.name }}</td>
<td class="num">{{ fmt(s.requests) }}</td><td class="num">{{ fmt(s.backlog) }}</td><td class="num">{{ fmt(s.overdue) }}</td>
<td class="num">{{ pct(s.acknowledged_within_standard) }}</td><td class="num">{{ pct(s.closed_within_standard) }}</td>
<td class="num">{{ fmt(s.median_working_days_to_close, 1) }}</td><td class="num">{{ fmt(s.escalations) }}</td>
<td class="num">{% if s.suppressed %}too few{% else %}{{ s.rank or "–" }} of {{ s.ranked }}{% endif %}</td></tr>{% endfor %}</tbody></table>
<p class="muted">Open and overdue as at the analysis run; service standards in working days. Wards with
fewer requests than the minimum are not ranked.</p>
{% else %}<p class="muted">No requests in the period.</p>{% endif %}
</body>
</html>
"""
