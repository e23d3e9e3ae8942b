/* geosvc: what every page shares. No framework; Leaflet is vendored under /static/vendor. */
(function () {
  "use strict";

  const PAGES = [
    ["planner", "Planner map", "planner"],
    ["warroom", "War room", "warroom"],
    ["upload", "Survey upload", "cdw"],
    ["status", "Follow a request", "public"],
  ];

  function escape(value) {
    return String(value == null ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  /* fetch() a JSON endpoint on this server; rejects with the API's problem detail. */
  async function api(path, options) {
    const opts = Object.assign({ credentials: "same-origin", headers: {} }, options || {});
    if (opts.json !== undefined) {
      opts.body = JSON.stringify(opts.json);
      opts.headers["Content-Type"] = "application/json";
      delete opts.json;
    }
    opts.headers.Accept = opts.headers.Accept || "application/json";
    let response;
    try {
      response = await fetch(path, opts);
    } catch (err) {
      throw new Error("The server could not be reached: check the connection and try again.");
    }
    if (response.status === 204) return null;
    const type = response.headers.get("content-type") || "";
    const body = type.includes("json") ? await response.json() : await response.text();
    if (!response.ok) {
      const detail = body && typeof body === "object" ? (body.detail || body.title) : body;
      const error = new Error(typeof detail === "string" ? detail : `HTTP ${response.status}`);
      error.status = response.status;
      error.body = body;
      throw error;
    }
    return body;
  }

  let mePromise = null;
  function me() {
    mePromise = mePromise || api("/api/me");
    return mePromise;
  }

  async function signOut() {
    await api("/api/logout", { method: "POST" });
    window.location.href = "/login";
  }

  /* Fill <header id="gs-header"> with the brand, the pages and who is signed in. */
  async function header(active) {
    const el = document.getElementById("gs-header");
    if (!el) return;
    el.className = "gs-header";
    const links = PAGES.map(([name, label]) =>
      `<a href="/${name}"${name === active ? ' class="gs-active" aria-current="page"' : ""}>${escape(label)}</a>`
    ).join("");
    el.innerHTML = `<a class="gs-brand" href="/">geosvc</a><nav class="gs-nav">${links}</nav>` +
      `<span class="gs-user" id="gs-user"></span>`;
    const user = document.getElementById("gs-user");
    try {
      const who = await me();
      if (who.signed_in) {
        user.innerHTML = `${escape(who.name)} (${escape(who.role)}) · <button type="button" id="gs-signout">Sign out</button>`;
        document.getElementById("gs-signout").addEventListener("click", signOut);
      } else {
        const next = encodeURIComponent(window.location.pathname + window.location.search);
        user.innerHTML = `<a href="/login?next=${next}">Sign in</a>`;
      }
    } catch (err) {
      user.textContent = "";
    }
  }

  let configPromise = null;
  function config() {
    configPromise = configPromise || api("/api/config");
    return configPromise;
  }

  /* A Leaflet map with a plain background (or the configured tile URL) and the ward
     outlines drawn faintly; resolves to {map, outlines}. Fitted to the wards. */
  async function baseMap(elementId, options) {
    const opts = Object.assign({ outlines: true, municipality: null }, options || {});
    const map = L.map(elementId, { preferCanvas: false, zoomSnap: 0.25 });
    map.setView([-26.2, 28.05], 9);
    const cfg = await config().catch(() => ({}));
    if (cfg.tile_url) {
      L.tileLayer(cfg.tile_url, { attribution: cfg.tile_attribution || "", maxZoom: 19 }).addTo(map);
    }
    let outlines = null;
    if (opts.outlines) {
      const query = new URLSearchParams({ simplify: "60", page_size: "5000" });
      if (opts.municipality) query.set("municipality", opts.municipality);
      const wards = await api(`/api/wards?${query}`);
      outlines = L.geoJSON(wards, {
        style: { color: "#7b8b95", weight: 0.6, fill: true, fillColor: "#ffffff", fillOpacity: 0.6 },
        interactive: false,
      }).addTo(map);
      if (wards.features && wards.features.length) map.fitBounds(outlines.getBounds(), { padding: [8, 8] });
    }
    return { map, outlines };
  }

  function formatDate(value) {
    if (!value) return "";
    const d = new Date(value);
    return isNaN(d) ? String(value) : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  /* A language's page strings from /api/i18n (English fills gaps), fetched once. */
  const stringCache = {};
  async function loadStrings(lang) {
    if (!stringCache[lang]) stringCache[lang] = api(`/api/i18n/${lang}`);
    try {
      return (await stringCache[lang]).strings;
    } catch (err) {
      delete stringCache[lang];
      throw err;
    }
  }

  /* strings[key] with its {placeholders} filled in from values; the key when missing. */
  function translate(strings, key, values) {
    const text = strings[key] || key;
    return text.replace(/\{(\w+)\}/g, (whole, name) =>
      values && values[name] !== undefined && values[name] !== null ? String(values[name]) : whole);
  }

  window.geosvc = {
    api, me, header, baseMap, escape, config, formatDate, signOut, loadStrings, translate,
  };
})();
