// The day page: the route map, and the planning job's live progress.
(function () {
  "use strict";

  var mapBox = document.getElementById("map");
  if (mapBox && window.L) {
    var data = JSON.parse(mapBox.dataset.map);
    var map = L.map(mapBox);
    if (data.tiles) {
      L.tileLayer(data.tiles, { maxZoom: 19, attribution: "© OpenStreetMap contributors" }).addTo(map);
    } else {
      // No tiles: draw the streets of the station's map extract, under the routes.
      var streets = L.layerGroup().addTo(map);
      map.attributionControl.addAttribution("© OpenStreetMap contributors");
      fetch("/map/streets.json", { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          body.segments.forEach(function (s) {
            L.polyline([[s[0], s[1]], [s[2], s[3]]], { color: "#b8b2a6", weight: 1, interactive: false }).addTo(streets);
          });
          streets.eachLayer(function (layer) { layer.bringToBack(); });
        });
    }
    var bounds = [];
    if (data.station[0] !== null) {
      L.circleMarker(data.station, { radius: 8, color: "#24527a" }).addTo(map);
      bounds.push(data.station);
    }
    data.sites.forEach(function (site) {
      L.circleMarker([site[0], site[1]], { radius: 7, color: "#000", fillOpacity: 0.8 })
        .bindTooltip(site[2]).addTo(map);
      bounds.push([site[0], site[1]]);
    });
    data.routes.forEach(function (route) {
      // Along the streets where the station has a street map, else straight from stop to stop.
      var line = route.way || route.stops.map(function (stop) { return [stop[0], stop[1]]; });
      L.polyline(line, { color: route.colour, weight: 3 }).bindTooltip(route.name).addTo(map);
      route.stops.forEach(function (stop) {
        L.circleMarker([stop[0], stop[1]], { radius: 4, color: route.colour }).bindTooltip(stop[2]).addTo(map);
        bounds.push([stop[0], stop[1]]);
      });
    });
    data.unplanned.forEach(function (stop) {
      if (stop[0] === null) { return; }
      L.marker([stop[0], stop[1]]).bindTooltip(stop[2]).addTo(map);
      bounds.push([stop[0], stop[1]]);
    });
    if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20] }); } else { map.setView([32.04, 118.78], 14); }
  }

  // New alerts show up without a reload by hand: the open set is checked every 15 s, and the
  // page reloads when it changed, unless the coordinator is typing in a form.
  var alerts = document.getElementById("alerts");
  if (alerts) {
    // A step falls due while the page is open: highlight it then, not at the next reload.
    var markOverdue = function () {
      var now = Date.now();
      alerts.querySelectorAll("li[data-due]").forEach(function (step) {
        if (Date.parse(step.dataset.due) <= now) { step.classList.add("overdue"); }
      });
    };
    markOverdue();
    setInterval(markOverdue, 30000);
    var known = alerts.dataset.open;
    setInterval(function () {
      fetch("/api/stations/" + alerts.dataset.station + "/alerts?status=open", { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (open) {
          var now = open.map(function (a) { return a.id; }).sort(function (a, b) { return a - b; }).join(",");
          var typing = document.activeElement && /INPUT|SELECT|TEXTAREA/.test(document.activeElement.tagName);
          if (now !== known && !typing) { window.location.reload(); }
        })
        .catch(function () {});
    }, 15000);
  }

  var job = document.getElementById("job");
  if (!job) { return; }
  var status = job.dataset.status;
  if (status !== "queued" && status !== "running") { return; }
  var id = job.dataset.job;
  var cancel = document.getElementById("cancel");
  if (cancel) {
    cancel.addEventListener("click", function () {
      fetch("/api/planning-jobs/" + id + "/cancel", {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content },
      });
    });
  }
  function poll() {
    fetch("/api/planning-jobs/" + id, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        // Seconds since the job started, from the clock (the planner reports only when it
        // improves), and the stops its best plan so far holds.
        var began = state.started_at ? Date.parse(state.started_at) : NaN;
        var elapsed = isNaN(began) ? state.elapsed_seconds : (Date.now() - began) / 1000;
        job.querySelector('[data-field="elapsed"]').textContent = Math.max(0, Math.round(elapsed));
        job.querySelector('[data-field="planned"]').textContent = state.planned_stops === null ? "–" : state.planned_stops;
        if (state.status === "queued" || state.status === "running") {
          setTimeout(poll, 500);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
}());
