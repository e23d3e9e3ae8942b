/* Field-worker upload page: choose a schema, drop or pick a file, watch it upload (bytes)
   and load (rows), then read the batch's counts and its rejected rows with the reasons.
   Labels come from /api/i18n/{lang}; the reasons are the server's own sentences. */
(function () {
  "use strict";

  const LANGS = ["en", "af", "zu", "st", "tn"];
  const LANG_KEY = "geosvc.lang";
  const POLL_MS = 700;
  const REPORT_LINES = 1000;
  const NETWORK_ERROR = "The server could not be reached. Check your connection and try again.";
  const $ = (id) => document.getElementById(id);
  const state = {
    lang: "en", strings: { "common.network_error": NETWORK_ERROR }, file: null,
    batch: null, repeated: false, pollTimer: null, busy: false,
  };

  /* ---- translations (as on the status page) --------------------------------------- */

  function chooseLang(params) {
    const wanted = [params.get("lang"), storedLang()].concat(navigator.languages || [navigator.language]);
    for (const code of wanted) {
      const short = String(code || "").toLowerCase().split(/[-_]/)[0];
      if (LANGS.includes(short)) return short;
    }
    return "en";
  }

  function storedLang(value) {
    try {
      if (value) window.localStorage.setItem(LANG_KEY, value);
      return window.localStorage.getItem(LANG_KEY);
    } catch (err) {
      return null;
    }
  }

  const loadStrings = geosvc.loadStrings;

  function t(key, values) {
    return geosvc.translate(state.strings, key, values);
  }

  function applyStrings() {
    document.documentElement.lang = state.lang;
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
    document.title = `${t("upload_page.title")} · geosvc`;
    $("upload-lang").value = state.lang;
    showSelected();
    if (state.batch) render(state.batch, state.repeated);
    renderRecent(state.recent || []);
  }

  async function switchLang(lang) {
    try {
      state.strings = await loadStrings(lang);
    } catch (err) {
      $("upload-lang").value = state.lang;
      showError(messageOf(err));
      return;
    }
    state.lang = lang;
    storedLang(lang);
    const params = new URLSearchParams(window.location.search);
    params.set("lang", lang);
    window.history.replaceState(null, "", `/upload?${params}`);
    applyStrings();
  }

  /* ---- small helpers --------------------------------------------------------------- */

  function humanSize(bytes) {
    if (bytes < 1024) return `${bytes} B`;
    const units = ["KB", "MB", "GB"];
    let value = bytes / 1024;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
  }

  /* A compact local date and time (2026-11-24 15:59): the list has little room. */
  function formatDate(value) {
    if (!value) return "";
    const d = new Date(value);
    if (isNaN(d)) return String(value);
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
      `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }

  function showError(message) {
    $("upload-error").textContent = message || "";
  }

  function messageOf(err) {
    return err && err.status ? err.message : t("common.network_error");
  }

  /* ---- choosing ---------------------------------------------------------------------- */

  async function loadSchemas() {
    const schemas = await geosvc.api("/api/surveys/schemas");
    const select = $("upload-schema");
    select.innerHTML = schemas.map((s) =>
      `<option value="${geosvc.escape(s.name)}">${geosvc.escape(s.title)} (${geosvc.escape(s.name)})</option>`
    ).join("");
    if (schemas.some((s) => s.name === "default")) select.value = "default";
  }

  function pick(file) {
    state.file = file || null;
    showError("");
    showSelected();
  }

  function showSelected() {
    const file = state.file;
    $("upload-selected").textContent = file
      ? t("upload_page.selected", { name: file.name, size: humanSize(file.size) }) : "";
  }

  function wireDropZone() {
    const zone = $("upload-drop");
    const over = (on) => (event) => {
      event.preventDefault();
      zone.classList.toggle("upload-over", on);
    };
    zone.addEventListener("dragenter", over(true));
    zone.addEventListener("dragover", over(true));
    zone.addEventListener("dragleave", over(false));
    zone.addEventListener("drop", (event) => {
      over(false)(event);
      const files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length) pick(files[0]);
    });
    // A file dropped beside the zone must not make the browser leave the page.
    window.addEventListener("dragover", (event) => event.preventDefault());
    window.addEventListener("drop", (event) => event.preventDefault());
    $("upload-file").addEventListener("change", (event) => pick(event.target.files[0]));
  }

  /* ---- uploading --------------------------------------------------------------------- */

  function progress(fraction, text) {
    $("upload-progress").hidden = false;
    const bar = $("upload-bar");
    if (fraction === null) bar.removeAttribute("value");
    else bar.value = Math.max(0, Math.min(1, fraction));
    $("upload-progress-text").textContent = text;
  }

  function busy(on) {
    state.busy = on;
    $("upload-submit").disabled = on;
    $("upload-file").disabled = on;
  }

  function upload(event) {
    event.preventDefault();
    if (state.busy) return;
    showError("");
    if (!state.file) {
      showError(t("upload_page.no_file"));
      return;
    }
    const form = new FormData();
    form.append("file", state.file, state.file.name);
    form.append("schema", $("upload-schema").value || "default");
    form.append("all_or_nothing", $("upload-all").checked ? "true" : "false");
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/surveys/batches");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (e) => {
      const total = e.lengthComputable ? e.total : state.file.size;
      progress(total ? e.loaded / total : null,
        t("upload_page.uploading", { sent: humanSize(e.loaded), total: humanSize(total) }));
    });
    xhr.upload.addEventListener("load", () => progress(null, t("upload_page.processing_start")));
    xhr.addEventListener("load", () => answered(xhr.status, parse(xhr.responseText)));
    xhr.addEventListener("error", () => failed(t("common.network_error")));
    xhr.addEventListener("abort", () => failed(t("common.network_error")));
    busy(true);
    progress(0, t("upload_page.uploading", { sent: humanSize(0), total: humanSize(state.file.size) }));
    xhr.send(form);
  }

  function parse(text) {
    try {
      return JSON.parse(text);
    } catch (err) {
      return { detail: text };
    }
  }

  function failed(message) {
    busy(false);
    $("upload-progress").hidden = true;
    showError(message);
  }

  function answered(status, body) {
    const detail = (body && (body.detail || body.title)) || `HTTP ${status}`;
    if (status === 200 || status === 201 || status === 202) {
      state.repeated = status === 200 && Boolean(body.repeated);
      follow(body);
      return;
    }
    if (status === 413) failed(t("upload_page.too_large", { detail }));
    else if (status === 422 || status === 400) failed(t("upload_page.refused", { detail }));
    else if (status === 401) {
      failed(detail);
      window.location.href = `/login?next=${encodeURIComponent("/upload")}`;
    } else failed(detail);
  }

  /* Show the batch; while it is still loading, poll it for the rows processed. */
  function follow(batch) {
    window.clearTimeout(state.pollTimer);
    if (batch.status !== "processing") {
      busy(false);
      $("upload-progress").hidden = true;
      showBatch(batch);
      loadRecent();
      return;
    }
    const text = batch.rows_total
      ? t("upload_page.processing", { done: batch.rows_processed, total: batch.rows_total })
      : t("upload_page.processing_start");
    progress(batch.rows_total ? batch.rows_processed / batch.rows_total : null, text);
    state.pollTimer = window.setTimeout(async () => {
      try {
        follow(await geosvc.api(`/api/surveys/batches/${batch.id}`));
      } catch (err) {
        if (err.status) failed(err.message);
        else {
          showError(t("common.network_error"));
          follow(batch); // keep trying: the load goes on on the server
        }
      }
    }, POLL_MS);
  }

  /* ---- the result -------------------------------------------------------------------- */

  async function showBatch(batch) {
    state.batch = batch;
    state.rejected = null;
    render(batch, state.repeated);
    try {
      const lines = await geosvc.api(`/api/surveys/batches/${batch.id}/report?limit=${REPORT_LINES}`);
      if (state.batch && state.batch.id === batch.id) {
        state.rejected = { lines: lines.filter((x) => x.outcome === "rejected"), full: lines.length >= REPORT_LINES };
        renderRejected();
      }
    } catch (err) {
      showError(messageOf(err));
    }
  }

  function render(batch, repeated) {
    $("upload-result").hidden = false;
    $("upload-result-title").textContent = t("upload_page.result_title", { id: batch.id, filename: batch.filename });
    const again = $("upload-repeated");
    again.hidden = !repeated;
    again.textContent = repeated ? t("upload_page.repeated", { id: batch.id }) : "";
    $("upload-status").textContent = t("upload_page.batch_status", { status: t(`batch_status.${batch.status}`) });
    const error = $("upload-batch-error");
    error.hidden = !batch.error;
    error.textContent = batch.error ? t("upload_page.failed", { detail: batch.error }) : "";
    const counts = [
      ["rows_total", batch.rows_total, ""],
      ["loaded", batch.rows_loaded, "upload-good"],
      ["rejected", batch.rows_rejected, batch.rows_rejected ? "upload-bad" : ""],
      ["unchanged", batch.rows_unchanged, ""],
      ["replaced", batch.rows_replaced, ""],
      ["warned", batch.rows_warned, ""],
    ];
    $("upload-counts").innerHTML = counts.map(([key, value, cls]) =>
      `<div class="${cls}" data-count="${key}"><dt>${geosvc.escape(t(`upload_page.${key}`))}</dt>` +
      `<dd>${geosvc.escape(value)}</dd></div>`).join("");
    $("upload-wards").textContent = t("upload_page.wards", { count: (batch.wards || []).length });
    $("upload-report").href = batch.report_csv;
    renderRejected();
    document.querySelectorAll("#upload-recent tbody tr").forEach((row) => {
      row.classList.toggle("upload-current", Number(row.dataset.batch) === batch.id);
    });
  }

  function renderRejected() {
    const body = $("upload-rejected").querySelector("tbody");
    const found = state.rejected;
    if (!found) {
      body.innerHTML = "";
      $("upload-rejected-none").hidden = true;
      $("upload-more").hidden = true;
      return;
    }
    const cell = (key, value) =>
      `<td data-label="${geosvc.escape(t(`upload_page.${key}`))}">${geosvc.escape(value)}</td>`;
    body.innerHTML = found.lines.map((x) => `<tr data-row="${x.row}">` +
      cell("col_row", x.row) + cell("col_submission", x.submission_id || "") +
      cell("col_field", x.field) + cell("col_value", x.value === null ? "" : x.value) +
      cell("col_reason", x.reason) + "</tr>").join("");
    $("upload-rejected").hidden = !found.lines.length;
    $("upload-rejected-none").hidden = found.lines.length > 0;
    const more = $("upload-more");
    more.hidden = !found.full;
    more.textContent = found.full ? t("upload_page.issues_more", { shown: REPORT_LINES }) : "";
  }

  /* ---- recent batches ---------------------------------------------------------------- */

  async function loadRecent() {
    try {
      state.recent = await geosvc.api("/api/surveys/batches?limit=20");
      renderRecent(state.recent);
    } catch (err) {
      showError(messageOf(err));
    }
  }

  function renderRecent(batches) {
    $("upload-recent-empty").hidden = batches.length > 0;
    $("upload-recent").hidden = !batches.length;
    $("upload-recent").querySelector("tbody").innerHTML = batches.map((b) => `
      <tr data-batch="${b.id}" tabindex="0"${state.batch && state.batch.id === b.id ? ' class="upload-current"' : ""}>
        <td>${b.id}</td>
        <td>${geosvc.escape(b.filename)}</td>
        <td class="upload-wide">${geosvc.escape(formatDate(b.uploaded_at))}</td>
        <td>${geosvc.escape(t(`batch_status.${b.status}`))}</td>
        <td class="upload-num">${b.rows_loaded}</td>
        <td class="upload-num">${b.rows_rejected}</td>
      </tr>`).join("");
  }

  async function openRecent(event) {
    const row = event.target.closest("tr[data-batch]");
    if (!row || (event.type === "keydown" && event.key !== "Enter")) return;
    try {
      state.repeated = false;
      follow(await geosvc.api(`/api/surveys/batches/${row.dataset.batch}`));
      $("upload-result").scrollIntoView({ behavior: "smooth", block: "start" });
    } catch (err) {
      showError(messageOf(err));
    }
  }

  /* ---- start ------------------------------------------------------------------------- */

  async function start() {
    geosvc.header("upload");
    wireDropZone();
    $("upload-form").addEventListener("submit", upload);
    $("upload-lang").addEventListener("change", (event) => switchLang(event.target.value));
    $("upload-recent").addEventListener("click", openRecent);
    $("upload-recent").addEventListener("keydown", openRecent);
    state.lang = chooseLang(new URLSearchParams(window.location.search));
    try {
      state.strings = await loadStrings(state.lang);
    } catch (err) {
      showError(messageOf(err));
    }
    applyStrings();
    try {
      await loadSchemas();
      $("upload-submit").disabled = false;
    } catch (err) {
      showError(messageOf(err));
    }
    await loadRecent();
  }

  start();
})();
