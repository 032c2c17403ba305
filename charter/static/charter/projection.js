/* ptce — the charter's projection page: polls the state every 3 s and shows each new
 * signature as it is recorded (newest first, highlighted). No inline code (CSP). */
(() => {
  "use strict";
  const root = document.getElementById("charter-projection");
  if (!root) return;
  const count = document.getElementById("signature-count");
  const list = document.getElementById("signature-list");
  const seen = new Set();
  const plural = new Intl.PluralRules(document.documentElement.lang || "fr");
  let first = true;

  function item(signature) {
    const li = document.createElement("li");
    li.dataset.id = String(signature.id);
    li.textContent = signature.name;
    if (signature.region) {
      const region = document.createElement("span");
      region.className = "region";
      region.textContent = signature.region;
      li.append(region);
    }
    return li;
  }

  function render(state) {
    count.textContent = String(state.count);
    // the page's language decides: « 0 signature » and « 1 signature » in French
    document.getElementById("signature-label").textContent =
      plural.select(state.count) === "one" ? root.dataset.labelOne : root.dataset.labelMany;
    const fresh = state.signatures.filter((s) => !seen.has(s.id));
    list.querySelectorAll("li.new").forEach((li) => li.classList.remove("new"));
    // the state lists the newest first: insert the unseen ones at the top, in order
    fresh.reverse().forEach((signature) => {
      seen.add(signature.id);
      const li = item(signature);
      if (!first) li.classList.add("new");
      list.prepend(li);
    });
    first = false;
  }

  function poll() {
    fetch(root.dataset.stateUrl, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(String(response.status)))))
      .then(render)
      .catch(() => {})
      .finally(() => setTimeout(poll, 3000));
  }
  poll();
})();
