{% autoescape off %}// Balie's service worker for one organisation's chat (scope: its /c/<slug>/).
// - precaches the offline shell: the chat page, the offline page, the chat's CSS and JS;
// - the page and the shell's files: network first, the cached copy when offline (for
//   another page of the scope, the offline page);
// - never touches anything else: the socket, uploads, files, the push switch, the API;
// - shows a push ("U heeft een nieuw bericht van …") only when no chat of this scope is
//   visible, and opens or focuses the chat when it is clicked.
const WORKER = {{ worker_json }};
const CACHE = WORKER.cache + WORKER.version;
const SHELL = new Set(WORKER.shell);

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(WORKER.shell.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith(WORKER.cache) && name !== CACHE).map((name) => caches.delete(name)),
      ))
      .then(() => self.clients.claim()),
  );
});

// Network first, so the page and its files are always current; the cached copy offline.
// A page the server marks no-store (a resident logged in with DigiD: their history) is never
// kept, and the copy kept before is dropped: a shared device shows no one's history offline.
async function networkFirst(request, key, fallback) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    const noStore = /no-store/i.test(response.headers.get("Cache-Control") || "");
    if (key && noStore) await cache.delete(key);
    else if (response.ok && key) await cache.put(key, response.clone());
    return response;
  } catch {
    return (key && (await cache.match(key))) || (fallback && (await cache.match(fallback))) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    const key = url.pathname === WORKER.page ? WORKER.page : null;
    event.respondWith(networkFirst(request, key, WORKER.offline));
  } else if (SHELL.has(url.pathname)) {
    event.respondWith(networkFirst(request, url.pathname, null));
  }
  // Anything else goes to the network untouched and is never cached.
});

self.addEventListener("push", (event) => {
  let message = {};
  try { message = event.data ? event.data.json() : {}; } catch { message = {}; }
  const title = typeof message.title === "string" ? message.title : "";
  const body = typeof message.body === "string" ? message.body : "";
  const target = typeof message.url === "string" && message.url.startsWith(WORKER.scope) ? message.url : WORKER.page;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    if (windows.some((client) => client.visibilityState === "visible")) return; // they see it already
    await self.registration.showNotification(title, {
      body, tag: "balie-answer", renotify: true, icon: WORKER.icon, data: { url: target },
    });
  })());
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || WORKER.page, self.location.origin).href;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const open = windows.find((client) => new URL(client.url).pathname === WORKER.page);
    if (open) return open.focus();
    return self.clients.openWindow(target);
  })());
});
{% endautoescape %}
