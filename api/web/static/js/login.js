/* Sign in, then go back to the page that asked for it. */
(function () {
  "use strict";
  const params = new URLSearchParams(window.location.search);
  const next = params.get("next") || "/";
  // Only ever return to a page of this site.
  const target = next.startsWith("/") && !next.startsWith("//") ? next : "/";
  geosvc.header("");
  const needs = params.get("needs");
  if (needs) {
    const note = document.getElementById("login-needs");
    note.textContent = `The page ${target} needs the ${needs} role. Sign in with an account that has it.`;
    note.hidden = false;
  }
  document.getElementById("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = document.getElementById("login-error");
    error.textContent = "";
    const form = event.target;
    try {
      await geosvc.api("/api/login", {
        method: "POST",
        json: { username: form.username.value.trim(), password: form.password.value },
      });
      window.location.href = target;
    } catch (err) {
      error.textContent = err.message;
    }
  });
})();
