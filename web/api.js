// Talking to the members API (docs/api.md): JSON in, JSON out, and every
// failure as an ApiError that the views can put into words.
//
// The session is an HttpOnly cookie that this code never sees; nothing is
// kept in localStorage or sessionStorage. Writes carry a JSON body with
// Content-Type: application/json, and the browser adds Origin by itself
// (the server refuses writes from other sites).
import { t } from './i18n.js';

export class ApiError extends Error {
  // status 0 means the request never got an answer (network, offline).
  constructor(status, code, message, retryAfter = 0) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function api(method, path, body) {
  const init = {
    method,
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { Accept: 'application/json' },
  };
  if (WRITES.has(method)) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'network', e && e.message);
  }
  let data = null;
  if (res.status !== 204) {
    const text = await res.text().catch(() => '');
    try {
      data = text ? JSON.parse(text) : null;
    } catch (_) {
      data = null;
    }
  }
  if (res.ok) return data;
  if (res.status === 401) onUnauthorized();
  const retry = Number.parseInt(res.headers.get('Retry-After') || '', 10);
  throw new ApiError(res.status, (data && data.error) || `http_${res.status}`,
    (data && data.message) || res.statusText, Number.isFinite(retry) && retry > 0 ? retry : 0);
}

// Someone to tell when a call finds the session gone (session.js).
let onUnauthorized = () => {};
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

// Words for the failures any request can meet, in the reader's language.
// Views handle their own codes (a taken handle, a used invite) before
// asking here.
export function explain(err) {
  if (!(err instanceof ApiError)) return t('error.unexpected');
  switch (err.code) {
    case 'network':
      return t('error.network');
    case 'rate_limited':
      return err.retryAfter ? t('error.rate_limited_wait', { time: waitWords(err.retryAfter) }) : t('error.rate_limited');
    case 'busy':
      return err.retryAfter ? t('error.busy_wait', { time: waitWords(err.retryAfter) }) : t('error.busy');
    case 'unauthorized':
      return t('error.unauthorized');
    case 'cross_origin':
      return t('error.cross_origin');
    case 'forbidden':
      return t('error.forbidden');
    case 'not_found':
      return t('error.not_found');
    case 'internal':
      return t('error.internal');
    default:
      return t('error.other', { status: err.status });
  }
}

// How long to wait, from a Retry-After in seconds, in words.
export function waitWords(seconds) {
  return seconds < 120 ? t('time.seconds', { n: seconds }) : t('time.minutes', { n: Math.ceil(seconds / 60) });
}
