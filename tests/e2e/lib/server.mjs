// Local test pages on 127.0.0.1. Add a page by adding a route.
import { createServer } from 'node:http';

const escapeHtml = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function htmlPage(title, body = '') {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`
    + `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

/** [pattern, handler(match, req) -> { status?, type?, body }] — first match wins. */
export const routes = [
  [/^\/page\/(\d+)$/, (m) => ({ body: htmlPage(`Page ${m[1]}`) })],
  [/^\/favicon\.ico$/, () => ({ status: 204, body: '' })],
];

export async function startServer() {
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    for (const [pattern, handler] of routes) {
      const match = pattern.exec(path);
      if (!match) continue;
      const { status = 200, type = 'text/html; charset=utf-8', body } = handler(match, req);
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    pageUrl: (n) => `${origin}/page/${n}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}
