/* Citizen status page: look a request up by reference number, read its public history,
   rate it once it is closed. Every label comes from /api/i18n/{lang}; the API answers the
   service name, status and history labels in the same language. No personal information
   is asked for or shown. */
(function () {
  "use strict";

  const LANGS = ["en", "af", "zu", "st", "tn"];
  const LANG_KEY = "geosvc.lang";
  const $ = (id) => document.getElementById(id);
  // Until the strings arrive (or when they cannot), the page speaks English.
  const NETWORK_ERROR = "The server could not be reached. Check your connection and try again.";
  const state = {
    lang: "en", strings: { "common.network_error": NETWORK_ERROR }, reference: null, result: null,
  };

  /* ---- translations ---------------------------------------------------------------- */

  function chooseLang(params) {
    const wanted = [params.get("lang"), safeStorage("get")]
      .concat(navigator.languages || [navigator.language]);
    for (const code of wanted) {
      const short = String(code || "").toLowerCase().split(/[-_]/)[0];
      if (LANGS.includes(short)) return short;
    }
    return "en";
  }

  function safeStorage(action, value) {
    try {
      if (action === "set") window.localStorage.setItem(LANG_KEY, value);
      return window.localStorage.getItem(LANG_KEY);
    } catch (err) {
      return null; // private mode: the choice lasts for the visit only
    }
  }

  const loadStrings = geosvc.loadStrings;

  /* The string ``key`` with its {placeholders} filled in from ``values``. */
  function t(key, values) {
    return geosvc.translate(state.strings, key, values);
  }

  function applyStrings() {
    document.documentElement.lang = state.lang;
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
    $("status-ref").placeholder = t("status_page.reference_example");
    document.title = `${t("status_page.title")} · geosvc`;
    $("status-lang").value = state.lang;
    buildChoices();
  }

  /* A date (and time) in the page's language, in the visitor's time zone. */
  function formatDate(value, withTime) {
    if (!value) return "";
    const d = new Date(value);
    if (isNaN(d)) return String(value);
    const text = t("date.long", {
      day: d.getDate(), month: t(`month.${d.getMonth() + 1}`), year: d.getFullYear(),
    });
    if (!withTime) return text;
    const pad = (n) => String(n).padStart(2, "0");
    return `${text} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }

  /* ---- looking a request up -------------------------------------------------------- */

  function setUrl() {
    const params = new URLSearchParams();
    if (state.reference) params.set("ref", state.reference);
    params.set("lang", state.lang);
    window.history.replaceState(null, "", `/status?${params}`);
  }

  function showError(message) {
    $("status-error").textContent = message || "";
  }

  function errorMessage(err, reference) {
    if (!err.status) return t("common.network_error");
    if (err.status === 404) return t("status_page.not_found", { reference });
    return err.message;
  }

  async function lookup(reference) {
    if (!state.strings["status_page.title"]) {
      try {
        state.strings = await loadStrings(state.lang);
        applyStrings();
      } catch (err) {
        showError(NETWORK_ERROR);
        return;
      }
    }
    const ref = String(reference || "").trim().toUpperCase();
    showError("");
    if (!ref) {
      showError(t("status_page.empty_reference"));
      $("status-ref").focus();
      return;
    }
    state.reference = ref;
    setUrl();
    $("status-loading").hidden = false;
    $("status-lookup").disabled = true;
    try {
      const query = new URLSearchParams({ lang: state.lang });
      render(await geosvc.api(`/api/status/${encodeURIComponent(ref)}?${query}`));
    } catch (err) {
      state.result = null;
      hideResult();
      showError(errorMessage(err, ref));
    } finally {
      $("status-loading").hidden = true;
      $("status-lookup").disabled = false;
    }
  }

  function hideResult() {
    $("status-result").hidden = true;
    $("status-rate").hidden = true;
    $("rate-thanks").hidden = true;
  }

  /* ---- showing it ------------------------------------------------------------------ */

  function fact(label, value) {
    if (value === null || value === undefined || value === "") return "";
    return `<dt>${geosvc.escape(label)}</dt><dd>${geosvc.escape(value)}</dd>`;
  }

  function render(result) {
    state.result = result;
    const closed = result.status === "closed";
    $("status-heading").textContent = t("status_page.reference_heading", { reference: result.reference });
    const badge = $("status-badge");
    badge.textContent = result.status_label;
    badge.dataset.status = result.status;
    badge.className = "gs-badge status-badge" +
      (closed ? " gs-ok" : result.status === "on_hold" ? " gs-warn" : "");
    const overdue = !closed && result.expected_at && new Date(result.expected_at) < new Date();
    $("status-overdue").hidden = !overdue;
    $("status-facts").innerHTML = [
      fact(t("status_page.service_label"), result.service_name),
      fact(t("status_page.ward_label"), result.ward_name),
      fact(t("status_page.reported_label"), formatDate(result.requested_at, true)),
      closed ? "" : fact(t("status_page.expected_label"),
        result.expected_at ? formatDate(result.expected_at, false) : t("common.not_yet")),
      fact(t("status_page.closed_label"), formatDate(result.closed_at, true)),
      fact(t("status_page.resolution_label"), result.resolution_label),
      fact(t("status_page.notes_label"), result.status_notes),
      result.satisfaction ? fact(t("status_page.your_rating"),
        t("status_page.star", { count: result.satisfaction })) : "",
    ].join("");
    const duplicate = $("status-duplicate");
    duplicate.hidden = !result.duplicate_of;
    duplicate.textContent = result.duplicate_of
      ? t("status_page.duplicate_of", { reference: result.duplicate_of }) : "";
    renderHistory(result.history);
    $("status-result").hidden = false;
    $("status-rate").hidden = !result.can_rate;
  }

  function renderHistory(events) {
    const list = $("status-history");
    if (!events.length) {
      list.innerHTML = `<li class="gs-muted">${geosvc.escape(t("status_page.history_empty"))}</li>`;
      return;
    }
    // Newest first: what a citizen wants to know is what happened last.
    list.innerHTML = events.slice().reverse().map((e) => `
      <li data-kind="${geosvc.escape(e.kind)}">
        <time datetime="${geosvc.escape(e.at)}">${geosvc.escape(formatDate(e.at, true))}</time>
        <span class="status-event">${geosvc.escape(e.label)}</span>
        ${e.note ? `<p class="status-note">${geosvc.escape(e.note)}</p>` : ""}
      </li>`).join("");
  }

  /* ---- rating ---------------------------------------------------------------------- */

  function choice(name, value, text, label) {
    return `<label class="status-choice"><input type="radio" name="${name}" value="${value}"` +
      ` aria-label="${geosvc.escape(label)}"><span aria-hidden="true">${text}</span></label>`;
  }

  function buildChoices() {
    const rating = checkedValue("rating");
    const recommend = checkedValue("recommend");
    $("rate-stars").innerHTML = [1, 2, 3, 4, 5]
      .map((n) => choice("rating", n, "★", t("status_page.star", { count: n }))).join("");
    $("rate-recommend").innerHTML = Array.from({ length: 11 }, (_, n) => choice("recommend", n, n, String(n))).join("");
    if (rating) check("rating", rating);
    if (recommend !== null) check("recommend", recommend);
    lightStars();
  }

  function checkedValue(name) {
    const input = document.querySelector(`input[name="${name}"]:checked`);
    return input ? input.value : null;
  }

  function check(name, value) {
    const input = document.querySelector(`input[name="${name}"][value="${value}"]`);
    if (input) input.checked = true;
  }

  function lightStars() {
    const rating = Number(checkedValue("rating") || 0);
    document.querySelectorAll("#rate-stars .status-choice").forEach((label, i) => {
      label.classList.toggle("status-on", i < rating);
    });
  }

  async function rate(event) {
    event.preventDefault();
    const error = $("rate-error");
    error.textContent = "";
    const rating = checkedValue("rating");
    if (!rating) {
      error.textContent = t("status_page.rating_required");
      return;
    }
    const resolved = checkedValue("resolved");
    const recommend = checkedValue("recommend");
    const body = {
      rating: Number(rating),
      resolved: resolved === null ? null : resolved === "true",
      recommend: recommend === null ? null : Number(recommend),
      comment: $("rate-comment").value.trim(),
    };
    const button = $("rate-submit");
    button.disabled = true;
    button.textContent = t("status_page.sending");
    try {
      const query = new URLSearchParams({ lang: state.lang });
      const ref = encodeURIComponent(state.reference);
      const result = await geosvc.api(`/api/status/${ref}/feedback?${query}`, { method: "POST", json: body });
      render(result);
      $("rate-form").reset();
      $("rate-thanks").hidden = false;
    } catch (err) {
      error.textContent = err.status ? err.message : t("common.network_error");
    } finally {
      button.disabled = false;
      button.textContent = t("status_page.submit");
    }
  }

  /* ---- language -------------------------------------------------------------------- */

  async function switchLang(lang) {
    try {
      state.strings = await loadStrings(lang);
      state.lang = lang;
      safeStorage("set", lang);
    } catch (err) {
      showError(err.status ? err.message : t("common.network_error"));
      $("status-lang").value = state.lang;
      return;
    }
    applyStrings();
    setUrl();
    if (state.reference) await lookup(state.reference);
  }

  async function start() {
    geosvc.header("status");
    $("status-form").addEventListener("submit", (event) => {
      event.preventDefault();
      lookup($("status-ref").value);
    });
    $("status-lang").addEventListener("change", (event) => switchLang(event.target.value));
    $("rate-form").addEventListener("submit", rate);
    $("rate-form").addEventListener("change", () => {
      lightStars();
      $("rate-error").textContent = "";
    });
    const params = new URLSearchParams(window.location.search);
    state.lang = chooseLang(params);
    try {
      state.strings = await loadStrings(state.lang);
    } catch (err) {
      showError(err.status ? err.message : NETWORK_ERROR);
    }
    applyStrings();
    $("status-lookup").disabled = false; // enabled once the page speaks its language
    const ref = params.get("ref");
    if (ref) {
      $("status-ref").value = ref.trim().toUpperCase();
      await lookup(ref);
    } else {
      setUrl();
      $("status-ref").focus();
    }
  }

  start();
})();
