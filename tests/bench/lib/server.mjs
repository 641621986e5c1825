// Local pages for the bench on 127.0.0.1: content pages with realistic URL and
// title lengths (URL ~80 chars, title ~50), and a page with a textarea to type in.
import { createServer } from 'node:http';

const WORDS = ('lisbon harbour weather forecast recipe bread sourdough review laptop battery '
  + 'kernel release notes python tutorial async rust borrow checker guide museum tickets '
  + 'train timetable budget spreadsheet garden tomatoes cycling route mountain pass '
  + 'concert schedule invoice template privacy policy football results election polls').split(' ');

function words(seed, n) {
  const out = [];
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    x = (x ^ (x << 13)) >>> 0; x = (x ^ (x >>> 17)) >>> 0; x = (x ^ (x << 5)) >>> 0;
    out.push(WORDS[x % WORDS.length]);
  }
  return out;
}

export const pagePath = (uid) => `/p/${uid}/${words(uid, 8).join('-')}`.slice(0, 58);
export const pageTitle = (uid) => {
  const w = words(uid + 7919, 7);
  return `${w[0][0].toUpperCase()}${w[0].slice(1)} ${w.slice(1).join(' ')} (${uid})`.slice(0, 56);
};
export const TYPE_PATH = '/type';

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startServer() {
  // Routes a part adds for itself (prefix -> page), consulted only for paths none of the above serves.
  /** @type {Map<string, (path: string) => { body: string, headers?: Record<string, string> } | null>} */
  const extra = new Map();
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    let body;
    let m;
    if ((m = /^\/p\/(\d+)(\/.*)?$/.exec(path))) {
      const uid = Number(m[1]);
      body = `<!doctype html><html><head><meta charset="utf-8"><title>${esc(pageTitle(uid))}</title></head>`
        + `<body><h1>${esc(pageTitle(uid))}</h1><p>${words(uid, 40).join(' ')}</p></body></html>`;
    } else if (path === TYPE_PATH) {
      body = '<!doctype html><html><head><meta charset="utf-8"><title>Notes</title></head>'
        + '<body><h1>Notes</h1><form onsubmit="return false"><textarea id="notes" name="notes" rows="12" cols="80"></textarea></form></body></html>';
    } else if (path === '/favicon.ico') {
      res.writeHead(204); res.end(); return;
    } else {
      const page = [...extra].find(([prefix]) => path.startsWith(prefix))?.[1](path);
      if (!page) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not found'); return; }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...page.headers });
      res.end(page.body);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(body);
  });
  server.keepAliveTimeout = 1000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    url: (uid) => origin + pagePath(uid),
    typeUrl: origin + TYPE_PATH,
    /** Serves `prefix…` with `page(path)` (null: 404); existing routes keep precedence. */
    route: (prefix, page) => { extra.set(prefix, page); },
    /** The uid of one of our content URLs, or null. */
    uidOf: (url) => {
      const x = /^http:\/\/127\.0\.0\.1:\d+\/p\/(\d+)\//.exec(url ?? '');
      return x ? Number(x[1]) : null;
    },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
