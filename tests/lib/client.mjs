// A browser-like HTTP client for the tests: fetch with an Origin on every
// request, and the session and device cookies kept as a browser keeps
// them.
export class Client {
  constructor(base, { origin = base } = {}) {
    this.base = base;
    this.origin = origin;
    this.cookie = null;
    this.device = null;
    this.setCookies = [];
  }

  async req(method, path, body, { headers = {}, raw = false, origin = this.origin } = {}) {
    const h = { ...headers };
    if (origin) h.origin = origin;
    const jar = [this.cookie, this.device].filter(Boolean).join('; ');
    if (jar && !Object.keys(h).some((k) => k.toLowerCase() === 'cookie')) h.cookie = jar;
    let payload;
    if (body !== undefined) {
      payload = raw ? body : JSON.stringify(body);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    }
    const res = await fetch(this.base + path, { method, headers: h, body: payload, redirect: 'manual' });
    this.setCookies = res.headers.getSetCookie();
    for (const c of this.setCookies) {
      const m = /^((?:__Host-)?mj_session)=([^;]*)/.exec(c);
      if (m) this.cookie = m[2] ? `${m[1]}=${m[2]}` : null;
      const d = /^((?:__Secure-)?mj_device)=([^;]*)/.exec(c);
      if (d) this.device = d[2] ? `${d[1]}=${d[2]}` : null;
    }
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    return { status: res.status, headers: res.headers, json, text };
  }

  get(path, opts) { return this.req('GET', path, undefined, opts); }
  post(path, body, opts) { return this.req('POST', path, body, opts); }
  patch(path, body, opts) { return this.req('PATCH', path, body, opts); }
  put(path, body, opts) { return this.req('PUT', path, body, opts); }
  del(path, body, opts) { return this.req('DELETE', path, body, opts); }
}
