/* The war-room board: loads /api/warroom/summary, then follows /api/stream (Server-Sent
   Events). EventSource reconnects by itself and sends Last-Event-ID, so a restart of the
   server loses nothing; a stream that cannot be reopened is retried from the last id. */
(function () {
  "use strict";

  const g = window.geosvc;
  const LIST_SIZE = 50;
  const MARKERS = 60;           // new-request markers kept on the map
  const PULSE_MS = 90 * 1000;   // how long a new request's marker pulses
  const RETRY_MS = 3000;
  const GROUP_COLOURS = {
    water: "#1f78b4", sanitation: "#8c510a", electricity: "#d9a400", roads: "#555f66",
    refuse: "#2e8b3a", housing: "#b15928", environment: "#1b9e77", safety: "#c2185b",
  };
  const OTHER_COLOURS = ["#6a3d9a", "#e7298a", "#66a61e", "#a6761d", "#0b6e99"];

  const state = {
    lastId: null,               // the stream resumes after this id (null: live only)
    seen: new Set(),            // live_event ids already applied
    counts: {},
    feed: [],                   // request views, newest first
    overdue: new Map(),         // reference -> view
    escalations: [],            // escalation events, newest first
    clusters: new Map(),        // key -> view
    source: null,
  };
  let map = null;
  let clusterLayer = null;
  let requestLayer = null;
  const clusterShapes = new Map();
  const markers = [];

  function colour(group) {
    if (GROUP_COLOURS[group]) return GROUP_COLOURS[group];
    let hash = 0;
    for (const ch of String(group || "")) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
    return OTHER_COLOURS[hash % OTHER_COLOURS.length];
  }

  function swatch(group) {
    return `<span class="wr-swatch" style="background:${colour(group)}"></span>`;
  }

  /* "City of Johannesburg Metropolitan Municipality Ward 60" -> "JHB Ward 60". */
  function wardLabel(name, code, municipality) {
    if (!name) return code ? `Ward ${code}` : "no ward";
    const match = /(Ward \d+)\s*$/.exec(name);
    return match && municipality ? `${municipality} ${match[1]}` : name;
  }

  function clock(value) {
    const d = new Date(value);
    return isNaN(d) ? "" : d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  }

  function age(value) {
    const ms = Date.now() - new Date(value).getTime();
    if (!isFinite(ms)) return "";
    const minutes = Math.max(0, Math.round(ms / 60000));
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.round(minutes / 60);
    return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} d`;
  }

  function setConnection(kind, text) {
    const el = document.getElementById("wr-conn");
    el.dataset.state = kind;
    el.textContent = text;
  }

  function showError(message) {
    const el = document.getElementById("wr-error");
    el.hidden = !message;
    el.textContent = message || "";
  }

  function touched() {
    document.getElementById("wr-updated").textContent = `Updated ${new Date().toLocaleTimeString()}`;
  }

  /* --- rendering ------------------------------------------------------------------ */

  function renderCounts() {
    for (const [name, value] of Object.entries(state.counts)) {
      const el = document.getElementById(`wr-count-${name}`);
      if (el) el.textContent = Number(value).toLocaleString();
    }
  }

  function tag(text, kind) {
    return `<span class="gs-badge${kind ? ` gs-${kind}` : ""}">${g.escape(String(text).replace(/_/g, " "))}</span>`;
  }

  /* One request in a list: when, what, then its tags, ward and reference. */
  function requestItem(r, when, tags, fresh) {
    const where = `${g.escape(wardLabel(r.ward_name, r.ward_code, r.municipality_code))} · ` +
      `<span class="wr-ref">${g.escape(r.reference)}</span>`;
    return `<li data-reference="${g.escape(r.reference)}"${fresh ? ' class="wr-new"' : ""}>` +
      `<span class="wr-time">${g.escape(when)}</span><div>` +
      `<div class="wr-what">${swatch(r.service_group)}${g.escape(r.service_name)}</div>` +
      `<div class="wr-where">${tags.join(" ")} ${where}</div></div></li>`;
  }

  function renderFeed(fresh) {
    const el = document.getElementById("wr-feed");
    el.innerHTML = state.feed.length
      ? state.feed.map((r) => requestItem(r, clock(r.requested_at),
        [r.urgent ? tag("urgent", "danger") : "", tag(r.status)],
        fresh && fresh.has(r.reference))).join("")
      : '<li class="wr-empty">No requests yet.</li>';
  }

  function renderOverdue() {
    const since = (r) => String(r.overdue_since || r.due_at || "");
    const rows = [...state.overdue.values()].sort((a, b) => since(a).localeCompare(since(b)))
      .slice(0, LIST_SIZE);
    document.getElementById("wr-overdue").innerHTML = rows.length
      ? rows.map((r) => requestItem(r, `${age(r.overdue_since || r.due_at)} late`,
        (r.breaches || []).map((b) => tag(b, b === "complete" ? "danger" : "warn")), false)).join("")
      : '<li class="wr-empty">Nothing overdue.</li>';
  }

  function renderEscalations(fresh) {
    document.getElementById("wr-escalations").innerHTML = state.escalations.length
      ? state.escalations.map((e) => requestItem(e, clock(e.at),
        [tag(e.breach === "urgent" ? "urgent on receipt" : `${e.breach || "escalated"} overdue`, "danger")],
        fresh && fresh.has(e.event_id))).join("")
      : '<li class="wr-empty">No escalations.</li>';
  }

  function renderClusters(freshKey) {
    const rows = [...state.clusters.values()].sort((a, b) => b.count - a.count || a.key - b.key);
    document.getElementById("wr-clusters").innerHTML = rows.length ? rows.map((c) => {
      const wards = (c.ward_names || []).map((n, i) => wardLabel(n, c.wards[i], null)
        .replace(/^.*(Ward \d+)$/, "$1")).join(", ");
      const growth = c.growth > 0 && c.state !== "new" ? ` <span class="wr-grow">▲${c.growth}</span>` : "";
      return `<tr data-key="${c.key}"${c.key === freshKey ? ' class="wr-new"' : ""}>` +
        `<td>${swatch(c.service_group)}${g.escape(c.service_name)} ` +
        `<span class="gs-badge${c.state === "growing" || c.state === "new" ? " gs-warn" : ""}">${g.escape(c.state)}</span></td>` +
        `<td>${c.count}${growth}</td><td>${c.last_2h}</td><td>${g.escape(wards)}</td>` +
        `<td>${g.escape(age(c.first_at || c.detected_at))}</td></tr>`;
    }).join("") : '<tr><td colspan="5" class="wr-empty">No live clusters.</td></tr>';
  }

  function drawCluster(c) {
    removeCluster(c.key);
    if (!map) return;
    const paint = colour(c.service_group);
    const group = L.layerGroup();
    if (c.hull && c.hull.type !== "Point") {
      L.geoJSON(c.hull, { style: { color: paint, weight: 2, fillColor: paint, fillOpacity: 0.25 } }).addTo(group);
    }
    if (c.lat != null && c.lon != null) {
      L.circleMarker([c.lat, c.lon], {
        radius: 5 + 2.5 * Math.sqrt(c.count), color: "#fff", weight: 1.5, fillColor: paint, fillOpacity: 0.85,
      }).bindTooltip(`${g.escape(c.service_name)}: ${c.count} open (${g.escape(c.state)})`).addTo(group);
    }
    group.addTo(clusterLayer);
    clusterShapes.set(c.key, group);
  }

  function removeCluster(key) {
    const shape = clusterShapes.get(key);
    if (shape) clusterLayer.removeLayer(shape);
    clusterShapes.delete(key);
  }

  function addMarker(r, pulsing) {
    if (!map || r.lat == null || r.lon == null) return;
    const paint = colour(r.service_group);
    const icon = L.divIcon({
      className: "", iconSize: [14, 14],
      html: `<div class="wr-pulse${pulsing ? "" : " wr-settled"}" style="width:14px;height:14px;background:${paint};color:${paint}"></div>`,
    });
    const marker = L.marker([r.lat, r.lon], { icon, keyboard: false, title: r.reference })
      .bindTooltip(`${g.escape(r.service_name)} · ${g.escape(r.reference)}`).addTo(requestLayer);
    markers.push(marker);
    while (markers.length > MARKERS) requestLayer.removeLayer(markers.shift());
    if (pulsing) {
      setTimeout(() => {
        const el = marker.getElement() && marker.getElement().firstChild;
        if (el) el.classList.add("wr-settled");
      }, PULSE_MS);
    }
  }

  /* A burst of events (an escalation run commits hundreds at once) is drawn once per
     frame, not once per event. */
  const pending = { parts: new Set(), fresh: new Set(), freshEscalations: new Set(), freshCluster: null, frame: 0 };

  function schedule(...parts) {
    for (const part of parts) pending.parts.add(part);
    if (!pending.frame) pending.frame = requestAnimationFrame(flush);
  }

  function flush() {
    const parts = pending.parts;
    if (parts.has("feed")) renderFeed(pending.fresh);
    if (parts.has("overdue")) renderOverdue();
    if (parts.has("escalations")) renderEscalations(pending.freshEscalations);
    if (parts.has("clusters")) renderClusters(pending.freshCluster);
    if (parts.has("counts")) renderCounts();
    pending.parts = new Set();
    pending.fresh = new Set();
    pending.freshEscalations = new Set();
    pending.freshCluster = null;
    pending.frame = 0;
    touched();
  }

  /* --- state --------------------------------------------------------------------- */

  function applySummary(summary) {
    state.counts = summary.counts;
    state.feed = summary.requests.slice(0, LIST_SIZE);
    state.overdue = new Map(summary.overdue.map((r) => [r.reference, r]));
    state.escalations = summary.escalations.slice(0, LIST_SIZE);
    state.clusters = new Map(summary.clusters.map((c) => [c.key, c]));
    for (const key of [...clusterShapes.keys()]) removeCluster(key);
    for (const c of state.clusters.values()) drawCluster(c);
    requestLayer.clearLayers();
    markers.length = 0;
    for (const r of state.feed.slice(0, 20).reverse()) addMarker(r, false);
    renderCounts(); renderFeed(); renderOverdue(); renderEscalations(); renderClusters();
    touched();
  }

  function onRequest(r) {
    const known = state.feed.findIndex((x) => x.reference === r.reference);
    if (r.event === "received" && known < 0) {
      state.feed.unshift(r);
      state.feed.length = Math.min(state.feed.length, LIST_SIZE);
      state.counts.received_24h = (state.counts.received_24h || 0) + 1;
      state.counts.open = (state.counts.open || 0) + 1;
      addMarker(r, true);
    } else if (known >= 0) {
      state.feed[known] = Object.assign({}, state.feed[known], r);
    }
    if (r.event === "closed") state.counts.open = Math.max(0, (state.counts.open || 0) - 1);
    if (r.event === "reopened") state.counts.open = (state.counts.open || 0) + 1;
    const breaching = (r.breaches || []).length > 0 && !["closed", "on_hold"].includes(r.status);
    if (breaching) state.overdue.set(r.reference, Object.assign({ overdue_since: r.due_at }, state.overdue.get(r.reference), r));
    else state.overdue.delete(r.reference);
    soonRefreshCounts();  // how many are overdue in all only the server knows
    if (r.event === "escalated" && !state.escalations.some((e) => e.event_id === r.event_id)) {
      state.escalations.unshift(r);
      state.escalations.length = Math.min(state.escalations.length, LIST_SIZE);
      state.counts.escalated_24h = (state.counts.escalated_24h || 0) + 1;
    }
    if (r.event === "received") pending.fresh.add(r.reference);
    if (r.event === "escalated") pending.freshEscalations.add(r.event_id);
    schedule("feed", "overdue", "escalations", "counts");
  }

  function onCluster(c) {
    if (c.state === "closed") {
      state.clusters.delete(c.key);
      removeCluster(c.key);
    } else {
      state.clusters.set(c.key, c);
      drawCluster(c);
    }
    state.counts.clusters = state.clusters.size;
    if (c.state !== "closed") pending.freshCluster = c.key;
    schedule("clusters", "counts");
  }

  /* Apply one stream event once, whatever the order of replay and live delivery. */
  function handle(kind, message) {
    const id = Number(message.lastEventId);
    if (id) {
      if (state.seen.has(id)) return;
      state.seen.add(id);
      if (state.seen.size > 5000) state.seen = new Set([...state.seen].slice(-2500));
      state.lastId = Math.max(state.lastId || 0, id);
    }
    let payload;
    try { payload = JSON.parse(message.data); } catch (err) { return; }
    if (kind === "request") onRequest(payload);
    else if (kind === "cluster") onCluster(payload);
  }

  /* --- loading and streaming ------------------------------------------------------- */

  async function load() {
    const summary = await g.api(`/api/warroom/summary?limit=${LIST_SIZE}`);
    state.lastId = Math.max(summary.last_event_id, 0);
    applySummary(summary);
  }

  function connect() {
    if (state.source) state.source.close();
    setConnection("connecting", "Connecting…");
    const query = state.lastId == null ? "" : `?last_event_id=${encodeURIComponent(state.lastId)}`;
    const source = new EventSource(`/api/stream${query}`);
    state.source = source;
    source.addEventListener("open", () => { setConnection("live", "Live"); showError(""); });
    source.addEventListener("request", (m) => handle("request", m));
    source.addEventListener("cluster", (m) => handle("cluster", m));
    source.addEventListener("reset", async () => {
      try { await load(); } catch (err) { showError(err.message); }
    });
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) {
        setConnection("offline", "Offline: retrying");
        setTimeout(reopen, RETRY_MS);
      } else {
        setConnection("connecting", "Reconnecting…");
      }
    });
  }

  /* EventSource gave up (an HTTP error, not a dropped connection): find out why. */
  async function reopen() {
    if (state.source && state.source.readyState !== EventSource.CLOSED) return;
    try {
      const summary = await g.api("/api/warroom/summary?limit=1");
      state.counts = summary.counts;
      renderCounts();
      connect();
    } catch (err) {
      if (err.status === 401 || err.status === 403) {
        setConnection("offline", "Signed out");
        showError(`${err.message} Sign in again to follow the board.`);
        return;
      }
      setTimeout(reopen, RETRY_MS);
    }
  }

  /* Counters drift from what events tell (requests age into "overdue" without one): the
     server's own count is fetched every minute. */
  async function refreshCounts() {
    try {
      const summary = await g.api("/api/warroom/summary?limit=1");
      state.counts = summary.counts;
      renderCounts();
    } catch (err) { /* the connection indicator says what is wrong */ }
  }

  let countsTimer = 0;
  function soonRefreshCounts() {
    if (!countsTimer) countsTimer = setTimeout(() => { countsTimer = 0; refreshCounts(); }, 3000);
  }

  async function start() {
    g.header("warroom");
    try {
      const base = await g.baseMap("wr-map");
      map = base.map;
      clusterLayer = L.layerGroup().addTo(map);
      requestLayer = L.layerGroup().addTo(map);
    } catch (err) {
      showError(`The map could not be drawn: ${err.message}`);
      clusterLayer = L.layerGroup();
      requestLayer = L.layerGroup();
    }
    document.getElementById("wr-clusters").addEventListener("click", (e) => {
      const row = e.target.closest("tr[data-key]");
      const c = row && state.clusters.get(Number(row.dataset.key));
      if (c && map && c.lat != null) map.flyTo([c.lat, c.lon], Math.max(map.getZoom(), 14));
    });
    try {
      await load();
    } catch (err) {
      showError(err.message);
      setConnection("offline", "Offline");
      if (err.status === 401 || err.status === 403) return;
    }
    connect();
    setInterval(() => { renderClusters(); renderOverdue(); }, 30 * 1000);
    setInterval(refreshCounts, 60 * 1000);
  }

  window.warroom = { state };
  document.addEventListener("DOMContentLoaded", start);
})();
