// The documents page while a document is being prepared: ask for the states every two
// seconds, move the progress bars, and reload the page when a state changes (ready,
// failed) so that the download link appears. No polling once nothing is under way.
(function () {
  "use strict";
  var table = document.getElementById("documents");
  if (!table || !window.fetch) return;
  var url = table.getAttribute("data-status-url");
  var started = Date.now();
  function poll() {
    if (Date.now() - started > 30 * 60 * 1000) return; // half an hour: leave it to a reload
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return setTimeout(poll, 5000);
        var changed = false;
        var underWay = false;
        data.documents.forEach(function (item) {
          var row = document.getElementById("document-" + item.kind);
          if (!row) return;
          if (row.getAttribute("data-state") !== item.state) changed = true;
          if (item.state === "pending" || item.state === "running") underWay = true;
          var percent = row.querySelector(".document-percent");
          var bar = row.querySelector("progress");
          if (percent) percent.textContent = String(item.progress);
          if (bar) { bar.value = item.progress; bar.textContent = String(item.progress); }
        });
        if (changed) { window.location.reload(); return; }
        if (underWay) setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
})();
