// The volunteer's pages without a network: a service worker keeps the last copy of each
// route page (and the files it needs) that the phone loaded, and shows it when the server
// cannot be reached. Outcomes do not pass through here: the page keeps them in its outbox
// (myroute.js) until the server has them. Only this site's route pages and static files are
// kept; nothing of the API.
"use strict";
const CACHE = "careroute-routes-v1";
const SHELL = ["/static/app.css", "/static/myroute.js", "/static/favicon.svg"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

function kept(url) {
  if (url.origin !== self.location.origin) return false;
  if (url.pathname.startsWith("/static/")) return true;
  if (url.pathname.startsWith("/me/")) return true;
  return url.pathname.startsWith("/r/") && !url.pathname.includes("/api/");
}

// The network first (the route may have changed), the kept copy when there is none.
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !kept(new URL(request.url))) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() => caches.match(request).then((hit) => hit || Response.error()))
  );
});
