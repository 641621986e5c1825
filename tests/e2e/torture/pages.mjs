// The torture workload's pages on the harness's local server: plain pages with
// unique paths (every tab URL in a run is distinct, so a tab is known by its
// path) and note pages with a textarea to type into.
import { htmlPage, routes } from '../lib/server.mjs';

export const PAGE_PREFIX = '/torture/page/';
export const NOTE_PREFIX = '/torture/note/';
export const NOTE_FIELD = 'note';

// A tiny inline icon: the tab gets a favicon without a request of its own.
const ICON = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

export function addTortureRoutes(table = routes) {
  if (table.some(([pattern]) => pattern.source.includes('torture'))) return;
  table.unshift(
    [/^\/torture\/page\/([\w-]+)$/, (m) => ({
      body: htmlPage(`Torture ${m[1]}`).replace('</head>', `<link rel="icon" href="${ICON}"></head>`),
    })],
    [/^\/torture\/note\/([\w-]+)$/, (m) => ({
      body: htmlPage(`Note ${m[1]}`, `<textarea id="${NOTE_FIELD}" rows="4" cols="60"></textarea>`),
    })],
  );
}

export const isNotePath = (path) => path.startsWith(NOTE_PREFIX);

