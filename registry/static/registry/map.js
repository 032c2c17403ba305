/* ptce — the map of poles: Leaflet (from django-leaflet, served by this site) and the
 * poles in view, clustered by the server per zoom (registry.selectors.map_points).
 * Page contract: #pole-map[data-points-url][data-tiles-url][data-attribution]
 * [data-label-cluster][data-label-approximate][data-label-one][data-label-many]
 * [data-label-failed] [data-label-status-<status>] [data-label-zoom-in] [data-label-zoom-out]
 * [data-label-tiles-failed] [data-label-open] (the page's translated words),
 * [data-outlines-url] (the offline base layer, scripts/build_outlines.py), #map-status,
 * #map-tiles-status (said politely when the tiles fail), .map-views button[data-bounds].
 * No inline code (CSP). */
(() => {
  "use strict";
  const root = document.getElementById("pole-map");
  if (!root || !window.L) return;
  const L = window.L;
  const status = document.getElementById("map-status");
  const FRANCE = [[41.2, -5.5], [51.3, 9.8]];
  const map = L.map(root, { zoomSnap: 1, minZoom: 2, maxZoom: 18, zoomControl: false }).fitBounds(FRANCE);
  // the zoom buttons in the page's language (Leaflet's own titles are English)
  L.control
    .zoom({ zoomInTitle: root.dataset.labelZoomIn, zoomOutTitle: root.dataset.labelZoomOut })
    .addTo(map);
  // Leaflet's credit without its English title (« A JavaScript library… »)
  map.attributionControl.setPrefix('<a href="https://leafletjs.com" hreflang="en">Leaflet</a>');

  // A base layer that needs no tile server: approximate outlines of the regions and
  // departments, served by this site, under the tiles (they hide it once they load).
  map.createPane("outlines").style.zIndex = "150";
  if (root.dataset.outlinesUrl) {
    fetch(root.dataset.outlinesUrl)
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(String(response.status)))))
      .then((data) => {
        L.geoJSON(data, {
          pane: "outlines",
          interactive: false,
          attribution: root.dataset.outlinesAttribution,
          style: (feature) =>
            feature.properties.level === "region"
              ? { color: "#5d6b7a", weight: 1.2, fillColor: "#f4f1ea", fillOpacity: 1 }
              : { color: "#b5bcc4", weight: 0.6, fill: false },
        })
          .addTo(map)
          .eachLayer((outline) => {
            const el = outline.getElement && outline.getElement();
            if (el) el.classList.add(`outline-${outline.feature.properties.level}`);
          });
      })
      .catch(() => {});
  }
  const tilesStatus = document.getElementById("map-tiles-status");
  if (root.dataset.tilesUrl) {
    const tiles = L.tileLayer(root.dataset.tilesUrl, {
      attribution: root.dataset.attribution,
      maxZoom: 19,
      // the tile servers' policies ask for a Referer (the site's origin, nothing more);
      // the page's own policy (same-origin) would send none
      referrerPolicy: "strict-origin-when-cross-origin",
    });
    tiles.on("tileerror", () => {
      if (tilesStatus && tilesStatus.hidden) {
        tilesStatus.hidden = false;
        text(tilesStatus, root.dataset.labelTilesFailed);
      }
    });
    tiles.addTo(map);
  }

  // the filters' form sends only the filters chosen (a shorter address to share)
  const filtersForm = document.querySelector(".map-filters");
  if (filtersForm) {
    filtersForm.addEventListener("submit", () => {
      filtersForm.querySelectorAll("select, input").forEach((field) => {
        if (!field.value) field.disabled = true;
      });
    });
    // back to this page from the history: the fields are usable again
    window.addEventListener("pageshow", () => {
      filtersForm.querySelectorAll("select, input").forEach((field) => {
        field.disabled = false;
      });
    });
  }

  // the buttons that fly to metropolitan France and to each overseas region
  const views = document.querySelector(".map-views");
  if (views) {
    views.hidden = false;
    views.querySelectorAll("button[data-bounds]").forEach((button) => {
      button.addEventListener("click", () => {
        const [south, west, north, east] = button.dataset.bounds.split(",").map(Number);
        map.flyToBounds([[south, west], [north, east]], { duration: 0.8 });
        views.querySelectorAll("button").forEach((b) => b.removeAttribute("aria-current"));
        button.setAttribute("aria-current", "true");
      });
    });
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
    const more = document.createElement("p");
    const open = document.createElement("a");
    open.href = pole.url;
    text(open, root.dataset.labelOpen);
    more.append(open);
    box.append(more);
    return box;
  }

  // Markers are kept from one load to the next when they are still in view: a popup
  // open on a pole survives the reload that its own opening (auto-pan) causes.
  let markers = new Map();

  function clusterMarker(cluster) {
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
    return marker;
  }

  function poleMarker(pole) {
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
    return marker;
  }

  function draw(data) {
    const next = new Map();
    const keep = (key, build) => {
      const marker = markers.get(key) || build();
      next.set(key, marker);
      if (!layer.hasLayer(marker)) layer.addLayer(marker);
    };
    data.clusters.forEach((cluster) =>
      keep(`c ${cluster.lat} ${cluster.lon} ${cluster.count}`, () => clusterMarker(cluster))
    );
    data.poles.forEach((pole) =>
      keep(`p ${pole.url} ${pole.lat} ${pole.lon} ${pole.status} ${pole.approximate}`, () => poleMarker(pole))
    );
    markers.forEach((marker, key) => {
      if (!next.has(key)) layer.removeLayer(marker);
    });
    markers = next;
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
