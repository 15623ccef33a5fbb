// One Worker for bench/workers/micro-ops.mjs: GET /?op=NAME&n=N runs one step N times (see there).
/* global Request, Response, Headers, crypto, AbortSignal, TextEncoder, performance */
// The gateway's own list (src/proxy/hop-by-hop.ts), written beside this file by micro-ops.mjs.
import { HOP_BY_HOP_HEADERS as HOP } from './hop-by-hop.mjs';
const HOPSET = new Set(HOP);
function mkUp() {
  return new Response('hello', {
    status: 200,
    headers: {
      'content-type': 'text/plain',
      'content-length': '5',
      date: 'Tue, 01 Dec 2026 05:00:00 GMT',
      server: 'nginx',
      etag: '"abc"',
      'cache-control': 'max-age=60',
    },
  });
}
const STATIC_BODY = '{"status":"ok"}';
const STATIC_BYTES = new TextEncoder().encode(STATIC_BODY);
// Built once per isolate, as a compiled static route could hold them (the request id added per request).
let prebuilt;
const prebuiltHeaders = () =>
  (prebuilt ??= new Headers({ 'content-type': 'application/json', 'x-powered-by': 'Gatehouse' }));
// An incoming request as the runtime hands it over, for the reads the gateway makes of one.
const REQUEST = new Request('http://gateway.example/static', {
  headers: { host: 'gateway.example', 'user-agent': 'wrk', accept: '*/*' },
});
const ops = {
  base(up) {
    return up;
  },
  // The static route's answer: as the minimal hello Worker builds it, and as the gateway does.
  staticNoHeaders() {
    return new Response(STATIC_BODY);
  },
  staticOneHeader() {
    return new Response(STATIC_BODY, { headers: { 'content-type': 'application/json' } });
  },
  staticThreeHeaders() {
    return new Response(STATIC_BODY, {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-request-id': 'abc', 'x-powered-by': 'Gatehouse' },
    });
  },
  staticThreeHeadersBytes() {
    return new Response(STATIC_BYTES, {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-request-id': 'abc', 'x-powered-by': 'Gatehouse' },
    });
  },
  staticThreeHeadersPairs() {
    return new Response(STATIC_BODY, {
      status: 200,
      headers: [
        ['content-type', 'application/json'],
        ['x-request-id', 'abc'],
        ['x-powered-by', 'Gatehouse'],
      ],
    });
  },
  staticPrebuiltHeaders() {
    const response = new Response(STATIC_BODY, { status: 200, headers: prebuiltHeaders() });
    response.headers.set('x-request-id', 'abc');
    return response;
  },
  staticPrebuiltHeadersCopy() {
    const headers = new Headers(prebuiltHeaders());
    headers.set('x-request-id', 'abc');
    return new Response(STATIC_BODY, { status: 200, headers });
  },
  copyDel(up) {
    const c = new Response(up.body, { status: up.status, statusText: up.statusText, headers: up.headers });
    for (const n of HOP) c.headers.delete(n);
    c.headers.set('x-request-id', 'abc');
    c.headers.set('x-powered-by', 'Gatehouse');
    return c;
  },
  copyNoDeletes(up) {
    const c = new Response(up.body, { status: up.status, statusText: up.statusText, headers: up.headers });
    c.headers.set('x-request-id', 'abc');
    c.headers.set('x-powered-by', 'Gatehouse');
    return c;
  },
  bodyOnly(up) {
    return up.body;
  },
  nullBodyCopy(up) {
    const c = new Response(null, { status: up.status, headers: up.headers });
    c.headers.set('x-request-id', 'abc');
    return c;
  },
  copyInitResponse(up) {
    const c = new Response(up.body, up);
    c.headers.set('x-request-id', 'abc');
    c.headers.set('x-powered-by', 'Gatehouse');
    return c;
  },
  copyStatusOnly(up) {
    const c = new Response(up.body, { status: up.status, headers: up.headers });
    c.headers.set('x-request-id', 'abc');
    c.headers.set('x-powered-by', 'Gatehouse');
    return c;
  },
  iterRecord(up) {
    const rec = {};
    for (const [k, v] of up.headers) {
      if (!HOPSET.has(k)) rec[k] = v;
    }
    rec['x-request-id'] = 'abc';
    rec['x-powered-by'] = 'Gatehouse';
    return new Response(up.body, { status: up.status, statusText: up.statusText, headers: rec });
  },
  iterPairs(up) {
    const p = [];
    for (const e of up.headers) {
      if (!HOPSET.has(e[0])) p.push(e);
    }
    p.push(['x-request-id', 'abc'], ['x-powered-by', 'Gatehouse']);
    return new Response(up.body, { status: up.status, statusText: up.statusText, headers: p });
  },
  // Ten calls each, so a single call into the runtime is the figure minus base, ÷ 10.
  get10(up) {
    const h = up.headers;
    let k = 0;
    for (let i = 0; i < 10; i++) if (h.get('x-absent') === null) k++;
    return k;
  },
  delete10(up) {
    const h = up.headers;
    for (let i = 0; i < 10; i++) h.delete('x-absent');
    return h;
  },
  set10(up) {
    const h = up.headers;
    for (let i = 0; i < 10; i++) h.set('x-request-id', 'abc');
    return h;
  },
  status10(up) {
    let k = 0;
    for (let i = 0; i < 10; i++) k += up.status;
    return k;
  },
  headersGetter10(up) {
    let k;
    for (let i = 0; i < 10; i++) k = up.headers;
    return k;
  },
  iterate(up) {
    let k = 0;
    for (const [name] of up.headers) k += name.length;
    return k;
  },
  requestUrl10() {
    let k = 0;
    for (let i = 0; i < 10; i++) k += REQUEST.url.length;
    return k;
  },
  requestMethod10() {
    let k = 0;
    for (let i = 0; i < 10; i++) k += REQUEST.method.length;
    return k;
  },
  requestHeadersGet10() {
    let k = 0;
    for (let i = 0; i < 10; i++) if (REQUEST.headers.get('x-request-id') === null) k++;
    return k;
  },
  performanceNow10() {
    let k = 0;
    for (let i = 0; i < 10; i++) k += performance.now();
    return k;
  },
  dateNow10() {
    let k = 0;
    for (let i = 0; i < 10; i++) k += Date.now();
    return k;
  },
  uuid() {
    return crypto.randomUUID();
  },
  timerNoClear() {
    setTimeout(() => {}, 30000);
  },
  abortTimeout() {
    return AbortSignal.timeout(30000);
  },
  timer() {
    const t = setTimeout(() => {}, 30000);
    clearTimeout(t);
  },
};
export default {
  async fetch(req) {
    const u = new URL(req.url);
    const op = ops[u.searchParams.get('op')];
    const n = +u.searchParams.get('n');
    let k = 0;
    for (let i = 0; i < n; i++) {
      // An op that takes the upstream response gets a new one; the others run alone.
      const r = op.length > 0 ? op(mkUp()) : op();
      if (r) k++;
    }
    return new Response(String(k));
  },
};
