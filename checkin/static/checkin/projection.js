/* ptce — the door's projection page: brings the figures and the arrivals chart up to
 * date every few seconds from etat.json (no meta refresh, which reloads the page under
 * a screen reader). Without this script, the link « Actualiser » reloads the page.
 * No inline code (CSP). */
(() => {
  "use strict";
  const root = document.getElementById("door-projection");
  if (!root) return;
  const every = Math.max(1, Number(root.dataset.every) || 15) * 1000;
  const figure = document.getElementById("projection-figure");
  const chart = document.getElementById("projection-chart");
  const reload = document.getElementById("projection-reload");
  if (reload) reload.parentElement.hidden = true; // the page refreshes itself now

  function render(state) {
    // our own templates' markup (no names, no text typed by anyone): the figures with
    // their plurals, and the chart
    if (typeof state.figure_html === "string") figure.innerHTML = state.figure_html;
    if (typeof state.chart_html === "string") chart.innerHTML = state.chart_html;
    root.dataset.updatedAt = new Date().toISOString();
  }

  function poll() {
    fetch(root.dataset.stateUrl, {
      headers: { Accept: "application/json" },
      cache: "no-store",
      credentials: "same-origin",
    })
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(String(response.status)))))
      .then(render)
      .catch(() => {
        if (reload) reload.parentElement.hidden = false; // the way back when it fails
      })
      .finally(() => setTimeout(poll, every));
  }
  setTimeout(poll, every);
})();
