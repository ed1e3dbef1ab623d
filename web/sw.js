// The service worker: keeps the app's own files (its shell: the page, the
// style sheet, the modules, the strings, the icons, the manifest) so that
// majlis opens without a network and can be installed. It never keeps
// anything else: no answer of /api/, /whip/ or /whep/ ever touches its
// cache, so no name, message or room of anyone is stored by it.
//
// Pages (navigations) come from the network first, with the kept page when
// the network is not there. The shell's files come from the network too,
// revalidated against the server's ETags (cache: 'no-cache'), so a new
// server's files replace the old at once; the kept copy answers only when
// offline. VERSION names the cache: bump it when SHELL changes, and the
// new worker drops the old cache when it takes over.
const VERSION = 'majlis-shell-2';
const SHELL = [
  '/index.html',
  '/app.css',
  '/app.js',
  '/i18n.js',
  '/strings/ar.js',
  '/strings/en.js',
  '/api.js',
  '/ui.js',
  '/session.js',
  '/chrome.js',
  '/refusals.js',
  '/home.js',
  '/hallway.js',
  '/hallway-store.js',
  '/hallway-socket.js',
  '/schedule.js',
  '/account.js',
  '/profile.js',
  '/invites.js',
  '/settings.js',
  '/admin.js',
  '/token.js',
  '/whip.js',
  '/start-room.js',
  '/room-common.js',
  '/room.js',
  '/room-store.js',
  '/room-media.js',
  '/room-view.js',
  '/room-parts.js',
  '/room-tools.js',
  '/manifest.webmanifest',
  '/icons/icon.svg',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/icon-maskable-512.png',
];
const NEVER = /^\/(api|whip|whep)(\/|$)/;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(VERSION);
    await cache.addAll(SHELL.map((path) => new Request(path, { cache: 'no-cache' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== VERSION) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  // Everything that is not the shell goes to the network untouched.
  if (url.origin !== self.location.origin || NEVER.test(url.pathname)) return;
  if (req.mode === 'navigate') event.respondWith(page(req));
  else if (SHELL.includes(url.pathname)) event.respondWith(shellFile(req, url.pathname));
});

// Keeps a fresh copy of a shell file unless the one kept is the same.
async function keep(cache, path, res) {
  if (!res.ok || res.type !== 'basic' || NEVER.test(new URL(res.url).pathname)) return;
  const old = await cache.match(path);
  if (old && old.headers.get('etag') && old.headers.get('etag') === res.headers.get('etag')) return;
  await cache.put(path, res.clone());
}

// Every page of the app is index.html (the server answers the app's paths
// with it): the network's copy, else the one kept. Only the answer for "/"
// refreshes the kept page: a kept answer remembers its address, and the
// address of an invite holds its code.
async function page(req) {
  const cache = await caches.open(VERSION);
  try {
    const res = await fetch(req, { cache: 'no-cache' });
    const html = (res.headers.get('content-type') || '').startsWith('text/html');
    if (html && new URL(req.url).pathname === '/') await keep(cache, '/index.html', res);
    return res;
  } catch (err) {
    const kept = await cache.match('/index.html');
    if (kept) return kept;
    throw err;
  }
}

async function shellFile(req, path) {
  const cache = await caches.open(VERSION);
  try {
    const res = await fetch(req, { cache: 'no-cache' });
    await keep(cache, path, res);
    return res;
  } catch (err) {
    const kept = await cache.match(path);
    if (kept) return kept;
    throw err;
  }
}
