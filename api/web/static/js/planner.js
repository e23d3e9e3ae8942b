/* The planner map: a ward choropleth of the needs index or of hotspot classes, cluster
   outlines and hotspot wards as layers, a legend stating the classification, downloads of
   what is shown, and a ward's profile on click. Reads /api/planner/options (services,
   periods and legends of the newest analysis run), /api/needs, /api/hotspots,
   /api/clusters and /api/wards/{code}/profile. */
(function () {
  "use strict";

  const g = window.geosvc;
  const $ = (id) => document.getElementById(id);
  const MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const HOT_OUTLINE = "#67000d";
  const CLUSTER_COLOUR = "#4a1486";

  const state = { measure: "needs", service: "", period: "", municipality: "", clusters: "run", hotWards: true, ward: null };
  let options = null;
  let map = null;
  let wardLayer = null;
  let hotLayer = null;
  let clusterLayer = null;
  let legend = null;
  let values = new Map(); // ward code -> needs row or hotspot properties of the map's measure
  let hotspotClasses = new Map(); // ward code -> hotspot class (for the hotspot-wards layer)
  let ticket = 0;

  /* ---- small helpers ------------------------------------------------------------- */

  function service() {
    return options.services.find((s) => s.code === state.service) || options.services[0];
  }

  function needColour(score) {
    const legendDef = options.legends.needs;
    if (score === null || score === undefined) return legendDef.no_data.colour;
    const breaks = legendDef.breaks;
    for (let i = 1; i < breaks.length - 1; i += 1) {
      if (score < breaks[i]) return legendDef.classes[i - 1].colour;
    }
    return legendDef.classes[legendDef.classes.length - 1].colour;
  }

  function hotspotColour(name) {
    const found = options.legends.hotspots.classes.find((c) => c.class === name);
    return found ? found.colour : options.legends.needs.no_data.colour;
  }

  function hotspotLabel(name) {
    const found = options.legends.hotspots.classes.find((c) => c.class === name);
    return found ? found.label : name;
  }

  function percent(share) {
    return share === null || share === undefined ? "–" : `${Math.round(share * 100)}%`;
  }

  function number(value, digits) {
    if (value === null || value === undefined) return "–";
    return Number(value).toLocaleString(undefined, { maximumFractionDigits: digits || 0 });
  }

  function monthLabel(month) {
    const [year, m] = month.split("-");
    return `${MONTH_NAMES[Number(m) - 1]} ${year.slice(2)}`;
  }

  function query(params) {
    const q = new URLSearchParams();
    Object.entries(params).forEach(([k, v]) => {
      if (v !== null && v !== undefined && v !== "") q.set(k, v);
    });
    return q.toString();
  }

  function setStatus(text, isError) {
    const el = $("planner-status");
    el.textContent = text;
    el.className = `pl-status ${isError ? "gs-error" : "gs-muted"}`;
  }

  /* ---- controls ------------------------------------------------------------------ */

  function fillSelect(select, items, chosen) {
    select.innerHTML = items
      .map(([value, label]) => `<option value="${g.escape(value)}">${g.escape(label)}</option>`)
      .join("");
    const values = items.map(([value]) => value);
    select.value = values.includes(chosen) ? chosen : values[0] || "";
    return select.value;
  }

  function periodLabel(period) {
    return period === "all" ? "All time" : period;
  }

  /* Keep the choices consistent: only services and periods the measure has results for. */
  function syncControls() {
    const measure = $("planner-measure");
    const wanted = service();
    // A single service type has hotspots but no needs score: its group has both.
    if (state.measure === "needs" && wanted && !wanted.needs) state.service = wanted.group;
    measure.value = state.measure;
    const services = options.services.filter((s) => s[state.measure]);
    const groups = services.filter((s) => s.kind === "group");
    const types = services.filter((s) => s.kind !== "group");
    const items = groups.map((s) => [s.code, s.name]).concat(types.map((s) => [s.code, `· ${s.name}`]));
    state.service = fillSelect($("planner-service"), items, state.service);
    const periods = options.periods[state.measure] || [];
    state.period = fillSelect($("planner-period"), periods.map((p) => [p, periodLabel(p)]), state.period);
    $("planner-municipality").value = state.municipality;
    $("planner-clusters").value = state.clusters;
    $("planner-hot-wards").checked = state.hotWards;
  }

  function readUrl() {
    const q = new URLSearchParams(window.location.search);
    ["measure", "service", "period", "municipality", "clusters", "ward"].forEach((k) => {
      if (q.has(k)) state[k] = q.get(k);
    });
    if (q.has("hot_wards")) state.hotWards = q.get("hot_wards") !== "0";
  }

  function writeUrl() {
    const q = query({
      measure: state.measure, service: state.service, period: state.period,
      municipality: state.municipality, clusters: state.clusters,
      hot_wards: state.hotWards ? "" : "0", ward: state.ward,
    });
    window.history.replaceState(null, "", `${window.location.pathname}?${q}`);
  }

  function bindControls() {
    const on = (id, key, read) => $(id).addEventListener("change", (e) => {
      state[key] = read ? read(e.target) : e.target.value;
      refresh();
    });
    on("planner-measure", "measure");
    on("planner-service", "service");
    on("planner-period", "period");
    on("planner-municipality", "municipality");
    on("planner-clusters", "clusters");
    on("planner-hot-wards", "hotWards", (el) => el.checked);
  }

  /* ---- the map ------------------------------------------------------------------- */

  function wardStyle(feature) {
    const code = feature.properties.code;
    const inside = !state.municipality || feature.properties.municipality_code === state.municipality;
    const row = values.get(code);
    let fill;
    if (state.measure === "needs") fill = needColour(row ? row.score : null);
    else fill = row ? hotspotColour(row.class) : options.legends.needs.no_data.colour;
    const selected = code === state.ward;
    return {
      className: "pl-ward",
      color: selected ? "#000" : "#5f6f7a",
      weight: selected ? 3 : 0.6,
      fillColor: fill,
      fillOpacity: inside ? 0.85 : 0.15,
      opacity: inside ? 1 : 0.3,
    };
  }

  function wardTooltip(layer) {
    const p = layer.feature.properties;
    const row = values.get(p.code);
    let detail = "no result";
    if (row && state.measure === "needs") {
      detail = row.score === null ? "no score" : `needs ${number(row.score, 1)}, rank ${row.rank || "–"}`;
    } else if (row) {
      detail = `${hotspotLabel(row.class)}; ${number(row.value, 1)} per 1,000 households`;
    }
    return `<strong>${g.escape(p.name)}</strong><br>${g.escape(detail)}`;
  }

  function drawWards(features) {
    wardLayer = L.geoJSON({ type: "FeatureCollection", features }, {
      style: wardStyle,
      onEachFeature: (feature, layer) => {
        layer.bindTooltip(() => wardTooltip(layer), { sticky: true });
        layer.on("click", () => openProfile(feature.properties.code));
        layer.on("add", () => {
          const el = layer.getElement && layer.getElement();
          if (el) el.setAttribute("data-ward", feature.properties.code);
        });
      },
    }).addTo(map);
  }

  function drawHotWards() {
    if (hotLayer) map.removeLayer(hotLayer);
    hotLayer = null;
    if (!state.hotWards) return;
    const hot = [];
    wardLayer.eachLayer((layer) => {
      const cls = hotspotClasses.get(layer.feature.properties.code) || "";
      if (cls.startsWith("hot_")) hot.push(layer.feature);
    });
    hotLayer = L.geoJSON({ type: "FeatureCollection", features: hot }, {
      style: { className: "pl-hot", color: HOT_OUTLINE, weight: 2.5, fill: false, dashArray: "6 3" },
      interactive: false,
    }).addTo(map);
  }

  /* The clusters shown: the run's or the live ones, of the service's types, active in the
     period (the live ones are recent by definition). */
  function clusterFilters(forExport) {
    const live = state.clusters === "live";
    const filters = { live: live ? "true" : "false", service: service().codes.join(","), municipality: state.municipality };
    if (!live) filters.period = state.period;
    if (!forExport) filters.page_size = 5000;
    return filters;
  }

  async function drawClusters(mine) {
    if (clusterLayer) map.removeLayer(clusterLayer);
    clusterLayer = null;
    if (!state.clusters) return 0;
    const body = await g.api(`/api/clusters?${query(clusterFilters(false))}`);
    if (mine !== ticket) return 0;
    const features = body.features || [];
    clusterLayer = L.geoJSON({ type: "FeatureCollection", features }, {
      style: { className: "pl-cluster", color: CLUSTER_COLOUR, weight: 1.5, fillColor: CLUSTER_COLOUR, fillOpacity: 0.15 },
      onEachFeature: (f, layer) => {
        const p = f.properties;
        layer.bindTooltip(
          `${g.escape(p.service_code)}: ${number(p.count)} incidents (${g.escape(p.state)})<br>` +
          `wards ${g.escape((p.wards || []).join(", "))}`,
        );
      },
    }).addTo(map);
    return features.length;
  }

  /* ---- data ---------------------------------------------------------------------- */

  async function loadHotspots(period) {
    const q = query({ service: state.service, period, simplify: 5000, page_size: 5000 }); // outlines come from /api/wards
    const body = await g.api(`/api/hotspots?${q}`);
    const found = new Map();
    (body.features || []).forEach((f) => found.set(f.properties.ward_code, f.properties));
    return found;
  }

  async function loadNeeds() {
    const rows = await g.api(`/api/needs?${query({ service: state.service, period: state.period })}`);
    return new Map(rows.map((row) => [row.ward_code, row]));
  }

  function hotspotPeriod() {
    const periods = options.periods.hotspots || [];
    return periods.includes(state.period) ? state.period : periods[0];
  }

  async function refresh() {
    const mine = ++ticket;
    syncControls();
    writeUrl();
    setStatus("Loading…");
    try {
      const wanted = service();
      const measured = state.measure === "needs" ? loadNeeds() : loadHotspots(state.period);
      const hot = state.hotWards && wanted.hotspots && state.measure === "needs" ? loadHotspots(hotspotPeriod()) : null;
      const [rows, hotRows] = await Promise.all([measured, hot]);
      if (mine !== ticket) return;
      values = rows;
      hotspotClasses = new Map();
      (hotRows || (state.measure === "hotspots" ? rows : new Map())).forEach((p, code) => hotspotClasses.set(code, p.class));
      wardLayer.setStyle(wardStyle);
      drawHotWards();
      const clusters = await drawClusters(mine);
      if (mine !== ticket) return;
      drawLegend(clusters);
      drawSummary();
      drawDownloads();
      fitMunicipality();
      const el = $("planner-map");
      el.dataset.drawn = `${state.measure}/${state.service}/${state.period}`;
      el.dataset.wards = String(values.size);
      setStatus(`${wanted.name}, ${periodLabel(state.period)}: ${values.size} wards with a result` +
        (state.clusters ? `, ${clusters} cluster${clusters === 1 ? "" : "s"}` : "") + ". Click a ward for its profile.");
    } catch (err) {
      if (mine === ticket) setStatus(err.message, true);
    }
  }

  let fittedTo = null;
  function fitMunicipality() {
    if (fittedTo === state.municipality) return;
    fittedTo = state.municipality;
    const bounds = L.latLngBounds([]);
    wardLayer.eachLayer((layer) => {
      const p = layer.feature.properties;
      if (!state.municipality || p.municipality_code === state.municipality) bounds.extend(layer.getBounds());
    });
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
  }

  /* ---- legend, summary, downloads ------------------------------------------------ */

  function drawLegend(clusters) {
    const needs = state.measure === "needs";
    const def = needs ? options.legends.needs : options.legends.hotspots;
    let rows = def.classes
      .map((c) => `<div><i style="background:${c.colour}"></i>${g.escape(c.label)}</div>`)
      .join("");
    if (needs) rows += `<div><i style="background:${def.no_data.colour}"></i>${g.escape(def.no_data.label)}</div>`;
    if (state.hotWards) {
      rows += `<div><span class="pl-line" style="border-color:${HOT_OUTLINE}"></span>Hotspot ward (${g.escape(options.legends.hotspots.title.replace(" hotspots", ""))}, ≥ 90%)</div>`;
    }
    if (state.clusters) {
      rows += `<div><i style="background:${CLUSTER_COLOUR};opacity:.5"></i>${clusters} cluster${clusters === 1 ? "" : "s"} (DBSCAN, ${state.clusters === "live" ? "live" : "analysis run"})</div>`;
    }
    const method = needs ? def.method : `${def.method}. Shown: ${periodLabel(state.period)}.`;
    const container = legend.getContainer();
    const open = container.firstChild ? container.firstChild.open : !window.matchMedia("(max-width: 899px)").matches;
    container.innerHTML = `<details id="planner-legend"${open ? " open" : ""}><summary>${g.escape(def.title)} · ${g.escape(service().name)}</summary>` +
      `${rows}<p>${g.escape(method)}</p></details>`;
  }

  function drawSummary() {
    const s = service();
    $("planner-title").textContent = `${s.name}: ${state.measure === "needs" ? "needs index" : "hotspots"}, ${periodLabel(state.period)}`;
    const run = options.run;
    $("planner-run").textContent = `Analysis run ${run.id} of ${g.formatDate(run.finished_at)} (period ${periodLabel(run.period)}).`;
    const wards = new Map(wardLayer.getLayers().map((l) => [l.feature.properties.code, l.feature.properties]));
    const inside = (code) => !state.municipality || (wards.get(code) || {}).municipality_code === state.municipality;
    const label = (code) => {
      const w = wards.get(code);
      return w && w.ward_no ? `${w.municipality_code} ward ${w.ward_no}` : code;
    };
    const rows = [...values.values()].filter((r) => inside(r.ward_code));
    let html;
    if (state.measure === "needs") {
      const top = rows.filter((r) => r.score !== null).sort((a, b) => b.score - a.score).slice(0, 5);
      html = `<h3>Greatest need</h3><table class="gs-table"><thead><tr><th>Ward</th><th class="pl-num">Score</th><th class="pl-num">Rank</th></tr></thead><tbody>` +
        top.map((r) => `<tr><td><a href="#" data-open="${g.escape(r.ward_code)}" title="${g.escape(r.ward_code)}">${g.escape(label(r.ward_code))}</a></td><td class="pl-num">${number(r.score, 1)}</td><td class="pl-num">${number(r.rank)}</td></tr>`).join("") +
        "</tbody></table>";
    } else {
      const counts = new Map();
      rows.forEach((r) => counts.set(r.class, (counts.get(r.class) || 0) + 1));
      html = `<h3>Wards by class</h3><table class="gs-table"><tbody>` +
        options.legends.hotspots.classes.filter((c) => counts.has(c.class)).map((c) =>
          `<tr><td><i style="display:inline-block;width:12px;height:12px;background:${c.colour};border:1px solid #999"></i> ${g.escape(c.label)}</td><td class="pl-num">${counts.get(c.class)}</td></tr>`).join("") +
        "</tbody></table>";
    }
    $("planner-top").innerHTML = html;
  }

  function drawDownloads() {
    const layer = state.measure === "needs" ? "needs" : "hotspots";
    const filters = query({ service: state.service, period: state.period, municipality: state.municipality });
    const links = [
      [`/api/export/${layer}.csv?${filters}`, `${layer} CSV`],
      [`/api/export/${layer}.gpkg?${filters}`, `${layer} GeoPackage`],
    ];
    if (state.clusters) {
      const filters = query(clusterFilters(true));
      links.push([`/api/export/clusters.csv?${filters}`, "clusters CSV"]);
      links.push([`/api/export/clusters.gpkg?${filters}`, "clusters GeoPackage"]);
    }
    $("planner-downloads").innerHTML = "Download what is shown: " + links
      .map(([href, label]) => `<a href="${g.escape(href)}" download>${g.escape(label)}</a>`).join("");
  }

  /* ---- the ward profile ---------------------------------------------------------- */

  function needsHtml(needs) {
    const COMPONENTS = options.legends.components.map((c) => [c.component, c.label, c.colour]);
    if (!needs.services.length) return `<p class="gs-muted">No needs scores for this ward.</p>`;
    const keys = COMPONENTS.map(([, label, colour]) => `<span><i style="background:${g.escape(colour)}"></i>${g.escape(label)}</span>`).join("");
    const rows = needs.services.map((s) => {
      const bars = COMPONENTS.map(([name, label, colour]) => {
        const part = s.components.find((c) => c.component === name) || {};
        const points = part.contribution || 0;
        return points > 0
          ? `<span style="width:${points}%;background:${g.escape(colour)}" title="${g.escape(label)}: ${number(points, 1)} points (raw ${number(part.raw, 3)})"></span>`
          : "";
      }).join("");
      const rank = s.rank ? `rank ${s.rank} of ${s.ranked}` : "not ranked";
      const coverage = s.coverage < 0.999 ? `; evidence for ${percent(s.coverage)} of the weights` : "";
      return `<div class="pl-need" title="${g.escape(rank + coverage)}"><span>${g.escape(s.name)}</span>` +
        `<div class="pl-bar" role="img" aria-label="${g.escape(s.name)} needs ${number(s.score, 1)}">${bars}</div>` +
        `<span class="pl-score">${number(s.score, 1)}</span></div>`;
    }).join("");
    return `<div class="pl-keys">${keys}</div>${rows}<p class="gs-muted">Score 0-100 (period ${g.escape(periodLabel(needs.period))}); bars show each component's points. Rank 1 is the greatest need.</p>`;
  }

  /* An inline SVG line chart of monthly counts: the ward's total and one service group. */
  function chartSvg(months, series) {
    const W = 360, H = 176, left = 30, right = 20, top = 10, bottom = 30;
    const max = Math.max(1, ...series.flatMap((s) => s.counts));
    const step = Math.max(1, Math.ceil(max / 4));
    const yMax = step * Math.ceil(max / step);
    const x = (i) => left + (months.length === 1 ? 0 : (i * (W - left - right)) / (months.length - 1));
    const y = (v) => top + (H - top - bottom) * (1 - v / yMax);
    let svg = `<svg id="planner-chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Incidents per month">`;
    for (let v = 0; v <= yMax; v += step) {
      svg += `<line x1="${left}" x2="${W - right}" y1="${y(v)}" y2="${y(v)}" stroke="#e3e8eb"/>` +
        `<text x="${left - 4}" y="${y(v) + 3}" text-anchor="end">${v}</text>`;
    }
    const every = Math.ceil(months.length / 6);
    months.forEach((m, i) => {
      if ((months.length - 1 - i) % every === 0) svg += `<text x="${x(i)}" y="${H - 6}" text-anchor="middle">${monthLabel(m)}</text>`;
    });
    series.forEach((s) => {
      const points = s.counts.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
      svg += `<polyline class="pl-series" points="${points}" fill="none" stroke="${s.colour}" stroke-width="2"/>`;
      s.counts.forEach((v, i) => {
        svg += `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.5" fill="${s.colour}"><title>${g.escape(s.name)}, ${monthLabel(months[i])}: ${v}</title></circle>`;
      });
    });
    return `${svg}</svg>`;
  }

  function incidentsHtml(incidents) {
    const group = service().group;
    const mine = incidents.services.find((s) => s.service === group);
    const series = [{ name: "All services", counts: incidents.total, colour: "#1d2a33" }];
    if (mine) series.push({ name: mine.name, counts: mine.counts, colour: "#d95f02" });
    const keys = series.map((s) => `<span><i style="background:${s.colour}"></i>${g.escape(s.name)}</span>`).join("");
    const total = incidents.total.reduce((a, b) => a + b, 0);
    return `<div class="pl-chart">${chartSvg(incidents.months, series)}</div><div class="pl-keys">${keys}</div>` +
      `<p class="gs-muted">${number(total)} requests and complaints in ${incidents.months.length} months (${g.escape(incidents.timezone)}).</p>`;
  }

  function hotspotsHtml(hotspots) {
    const groups = new Set(options.services.filter((s) => s.kind === "group").map((s) => s.code));
    const rows = hotspots.services.filter((s) => groups.has(s.service));
    if (!rows.length) return `<p class="gs-muted">No hotspot results in ${g.escape(periodLabel(hotspots.period))}.</p>`;
    return `<table class="gs-table"><thead><tr><th>Service</th><th>Class</th><th class="pl-num">per 1,000 hh</th><th>Trend</th></tr></thead><tbody>` +
      rows.map((s) => `<tr><td>${g.escape(s.name)}</td><td><i style="display:inline-block;width:10px;height:10px;background:${hotspotColour(s.class)};border:1px solid #999"></i> ${g.escape(s.label)}</td>` +
        `<td class="pl-num">${number(s.rate, 1)}</td><td>${g.escape(s.trend || "–")}</td></tr>`).join("") +
      `</tbody></table><p class="gs-muted">${g.escape(options.legends.hotspots.title)}, ${g.escape(periodLabel(hotspots.period))}.</p>`;
  }

  function surveyHtml(survey) {
    if (!survey.households_surveyed) return `<p class="gs-muted">No households surveyed in this ward yet.</p>`;
    const rows = survey.services.map((s) =>
      `<tr><td>${g.escape(s.service)}</td><td class="pl-num">${number(s.households)}</td><td class="pl-num">${percent(s.share_below_basic)}</td></tr>`).join("");
    const needs = survey.top_needs.slice(0, 5).map((n) => `${g.escape(n.need)} ${percent(n.share)}`).join(", ");
    return `<p>${number(survey.households_surveyed)} households surveyed` +
      (survey.last_collected_at ? `, last on ${g.escape(g.formatDate(survey.last_collected_at))}` : "") + ".</p>" +
      `<table class="gs-table"><thead><tr><th>Service</th><th class="pl-num">Answered</th><th class="pl-num">Below basic</th></tr></thead><tbody>${rows}</tbody></table>` +
      (needs ? `<p class="gs-muted">Top needs named: ${needs}.</p>` : "");
  }

  function standardsHtml(standards) {
    const all = standards.overall ? [standards.overall, ...standards.services] : standards.services;
    if (!all.length) return `<p class="gs-muted">No requests in the period.</p>`;
    const rows = all.map((s) =>
      `<tr${s.service === "all" ? ' style="font-weight:600"' : ""}><td>${g.escape(s.name)}</td><td class="pl-num">${number(s.requests)}</td>` +
      `<td class="pl-num">${number(s.backlog)}</td><td class="pl-num">${number(s.overdue)}</td>` +
      `<td class="pl-num">${percent(s.acknowledged_within_standard)}</td><td class="pl-num">${percent(s.closed_within_standard)}</td>` +
      `<td class="pl-num">${number(s.median_working_days_to_close, 1)}</td></tr>`).join("");
    return `<div style="overflow-x:auto"><table class="gs-table" id="planner-standards"><thead><tr><th>Service</th><th class="pl-num">Requests</th><th class="pl-num">Open</th><th class="pl-num">Overdue</th>` +
      `<th class="pl-num">Ack. in time</th><th class="pl-num">Closed in time</th><th class="pl-num">Median days</th></tr></thead><tbody>${rows}</tbody></table></div>` +
      `<p class="gs-muted">Open and overdue as at the analysis run; within the service standard in working days.</p>`;
  }

  async function openProfile(code) {
    const panel = $("planner-profile");
    state.ward = code;
    writeUrl();
    wardLayer.setStyle(wardStyle);
    panel.hidden = false;
    panel.innerHTML = `<p class="gs-muted">Loading ward ${g.escape(code)}…</p>`;
    try {
      const p = await g.api(`/api/wards/${encodeURIComponent(code)}/profile?${query({ period: state.period })}`);
      if (state.ward !== code) return;
      const w = p.ward;
      panel.innerHTML =
        `<div style="display:flex;justify-content:space-between;gap:.5rem;align-items:start">` +
        `<h2 id="profile-name">${g.escape(w.name)}</h2><button type="button" class="gs-secondary" id="profile-close" aria-label="Close the profile">×</button></div>` +
        `<p class="gs-muted">Ward ${g.escape(w.code)} · ${g.escape(w.municipality_name || w.municipality_code || "")} · ${number(w.households)} households</p>` +
        `<h3>Needs by service</h3>${needsHtml(p.needs)}` +
        `<h3>Incidents per month</h3>${incidentsHtml(p.incidents)}` +
        `<h3>Hotspots</h3>${hotspotsHtml(p.hotspots)}` +
        `<h3>Survey coverage</h3>${surveyHtml(p.survey)}` +
        `<h3>Backlog and service standards</h3>${standardsHtml(p.standards)}`;
      $("profile-close").addEventListener("click", closeProfile);
      panel.dataset.ward = code;
      if (window.matchMedia("(max-width: 899px)").matches) panel.scrollIntoView({ behavior: "smooth", block: "start" });
    } catch (err) {
      panel.innerHTML = `<p class="gs-error">${g.escape(err.message)}</p>`;
    }
  }

  function closeProfile() {
    state.ward = null;
    $("planner-profile").hidden = true;
    delete $("planner-profile").dataset.ward;
    wardLayer.setStyle(wardStyle);
    writeUrl();
  }

  /* ---- start --------------------------------------------------------------------- */

  async function start() {
    g.header("planner");
    readUrl();
    try {
      options = await g.api("/api/planner/options");
    } catch (err) {
      setStatus(err.message, true);
      return;
    }
    if (!options.services.length) {
      setStatus("The newest analysis run has no needs or hotspot results: run 'geosvc analyse'.", true);
      return;
    }
    options.municipalities.forEach((m) => {
      $("planner-municipality").insertAdjacentHTML("beforeend", `<option value="${g.escape(m.code)}">${g.escape(m.name)}</option>`);
    });
    const base = await g.baseMap("planner-map");
    map = base.map;
    const features = [];
    if (base.outlines) {
      base.outlines.eachLayer((layer) => features.push(layer.feature));
      map.removeLayer(base.outlines);
    }
    drawWards(features);
    legend = L.control({ position: "bottomright" });
    legend.onAdd = () => {
      const div = L.DomUtil.create("div", "gs-legend pl-legend");
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    legend.addTo(map);
    $("planner-top").addEventListener("click", (e) => {
      const code = e.target.getAttribute && e.target.getAttribute("data-open");
      if (code) {
        e.preventDefault();
        openProfile(code);
      }
    });
    bindControls();
    await refresh();
    if (state.ward) openProfile(state.ward);
  }

  start();
})();
