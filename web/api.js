// Talking to the members API (docs/api.md): JSON in, JSON out, and every
// failure as an ApiError that the views can put into words.
//
// The session is an HttpOnly cookie that this code never sees; nothing is
// kept in localStorage or sessionStorage. Writes carry a JSON body with
// Content-Type: application/json, and the browser adds Origin by itself
// (the server refuses writes from other sites).
import { waitWords } from './ui.js';

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
  const retry = Number.parseInt(res.headers.get('Retry-After') || '', 10);
  throw new ApiError(res.status, (data && data.error) || `http_${res.status}`,
    (data && data.message) || res.statusText, Number.isFinite(retry) && retry > 0 ? retry : 0);
}

// Words for the failures any request can meet: [arabic, english]. Views
// handle their own codes (a taken handle, a used invite) before asking here.
export function explain(err) {
  if (!(err instanceof ApiError)) {
    return ['حدث خطأ غير متوقّع. أعد تحميل الصفحة.', 'Something unexpected went wrong. Reload the page.'];
  }
  switch (err.code) {
    case 'network':
      return ['تعذّر الوصول إلى الخادم. تحقّق من اتصالك وحاول مجددًا.',
        'Cannot reach the server. Check your connection and try again.'];
    case 'rate_limited': {
      if (!err.retryAfter) return ['محاولات كثيرة. حاول بعد قليل.', 'Too many attempts. Try again in a moment.'];
      const [ar, en] = waitWords(err.retryAfter);
      return [`محاولات كثيرة. حاول بعد ${ar}.`, `Too many attempts. Try again in ${en}.`];
    }
    case 'busy': {
      if (!err.retryAfter) return ['الخادم مشغول الآن. حاول بعد قليل.', 'The server is busy. Try again in a moment.'];
      const [ar, en] = waitWords(err.retryAfter);
      return [`الخادم مشغول الآن. حاول بعد ${ar}.`, `The server is busy. Try again in ${en}.`];
    }
    case 'unauthorized':
      return ['انتهت جلستك. ادخل مرة أخرى.', 'Your session has ended. Please sign in again.'];
    case 'cross_origin':
      return ['رُفض الطلب لأنه لم يأتِ من هذه الصفحة. أعد تحميلها.',
        'The request was refused because it did not come from this page. Reload it.'];
    case 'internal':
      return ['حدث خطأ في الخادم. حاول لاحقًا.', 'Something went wrong on the server. Try again later.'];
    default:
      return ['تعذّر إتمام الطلب.', err.message || `Request failed (${err.status}).`];
  }
}
