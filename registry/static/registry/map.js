/* ptce — the map of poles: Leaflet (from django-leaflet, served by this site) and the
 * poles in view, clustered by the server per zoom (registry.selectors.map_points).
 * Page contract: #pole-map[data-points-url][data-tiles-url][data-attribution]
 * [data-label-cluster][data-label-approximate][data-label-one][data-label-many]
 * [data-label-failed] [data-label-status-<status>] (the page's translated words), #map-status.
 * No inline code (CSP). */
(() => {
  "use strict";
  const root = document.getElementById("pole-map");
  if (!root || !window.L) return;
  const L = window.L;
  const status = document.getElementById("map-status");
  const FRANCE = [[41.2, -5.5], [51.3, 9.8]];
  const map = L.map(root, { zoomSnap: 1, minZoom: 2, maxZoom: 18 }).fitBounds(FRANCE);
  if (root.dataset.tilesUrl) {
    L.tileLayer(root.dataset.tilesUrl, { attribution: root.dataset.attribution, maxZoom: 19 }).addTo(map);
  }
  const layer = L.layerGroup().addTo(map);
  let controller = null;

  function text(node, value) {
    node.textContent = value;
  }

  function popup(pole) {
    const box = document.createElement("div");
    const link = document.createElement("a");
    link.href = pole.url;
    link.className = "pole-link";
    text(link, pole.name);
    box.append(link);
    const key = `labelStatus${pole.status.charAt(0).toUpperCase()}${pole.status.slice(1)}`;
    if (root.dataset[key]) {
      const badge = document.createElement("p");
      badge.className = `badge status-${pole.status}`;
      text(badge, root.dataset[key]);
      box.append(badge);
    }
    if (pole.approximate) {
      const note = document.createElement("p");
      text(note, root.dataset.labelApproximate);
      box.append(note);
    }
    return box;
  }

  function draw(data) {
    layer.clearLayers();
    data.clusters.forEach((cluster) => {
      const size = Math.min(64, 28 + Math.round(Math.log2(cluster.count) * 5));
      const label = root.dataset.labelCluster.replace("%(count)s", cluster.count);
      const marker = L.marker([cluster.lat, cluster.lon], {
        title: label,
        alt: label,
        keyboard: true,
        icon: L.divIcon({ className: "pole-cluster", html: "", iconSize: [size, size] }),
      });
      marker.on("add", () => {
        const el = marker.getElement();
        if (el) {
          text(el, String(cluster.count));
          el.setAttribute("role", "button");
          el.setAttribute("aria-label", label);
        }
      });
      marker.on("click keypress", () => map.setView([cluster.lat, cluster.lon], Math.min(map.getZoom() + 2, 18)));
      layer.addLayer(marker);
    });
    data.poles.forEach((pole) => {
      const marker = L.marker([pole.lat, pole.lon], {
        title: pole.name,
        alt: pole.name,
        keyboard: true,
        icon: L.divIcon({
          className: `pole-dot status-${pole.status}${pole.approximate ? " approximate" : ""}`,
          html: "",
          iconSize: [18, 18],
        }),
      });
      marker.bindPopup(() => popup(pole));
      marker.on("add", () => {
        const el = marker.getElement();
        if (el) el.setAttribute("aria-label", pole.name);
      });
      layer.addLayer(marker);
    });
    const label = data.total === 1 ? root.dataset.labelOne : root.dataset.labelMany;
    text(status, label.replace("%(count)s", data.total));
  }

  function load() {
    if (controller) controller.abort();
    controller = new AbortController();
    const bounds = map.getBounds();
    const url = new URL(root.dataset.pointsUrl, window.location.href);
    url.searchParams.set("zoom", String(map.getZoom()));
    url.searchParams.set(
      "bbox",
      [
        Math.max(-180, bounds.getWest()),
        Math.max(-90, bounds.getSouth()),
        Math.min(180, bounds.getEast()),
        Math.min(90, bounds.getNorth()),
      ]
        .map((v) => v.toFixed(4))
        .join(",")
    );
    fetch(url, { signal: controller.signal, headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(String(response.status)))))
      .then(draw)
      .catch((error) => {
        if (error.name !== "AbortError") text(status, root.dataset.labelFailed);
      });
  }

  map.on("moveend", load);
  load();
})();
