// @ts-check
// Windowed tab lists: a long ol.tabs holds only the rows near the viewport,
// between two spacer items that stand for the rest, so a 10,000-tab session
// shows and scrolls like a 10-tab one (issue 13 item 4). The restore page, the
// manager's detail and the import preview all list tabs through listRows().
//
// Written here rather than taken from npm: the maintained virtual-list packages
// either need a framework (react-window, @tanstack/virtual's adapters) or own
// the scrolling element and lay rows out absolutely (virtua, clusterize.js),
// which would break the page's own scrolling, the windows' sections around
// each list and the print/forced-colours styles. What is needed is small:
// rows of a near-fixed height, two spacers, one rAF-throttled scroll listener.
//
// The rows are made by the page from its state (ticks included), so a row
// scrolled away loses nothing; a row is a listitem with aria-setsize and
// aria-posinset, so assistive technology still hears "item 4,567 of 10,000".

/** A view with more tabs than this lists them windowed; below, every row is on the page (as before). */
export const WINDOWED_FROM = 300;
/** Rows rendered beyond each edge of the viewport (keyboard focus moving row by row always finds the next one). */
const OVERSCAN = 12;
/** Height of a row before one has been measured, px. */
const GUESS = 40;

/**
 * @typedef {{ ol: HTMLElement, count: number, row: (i: number) => HTMLElement, key: string,
 *   first: number, last: number, rows: Map<number, HTMLElement>, top: HTMLElement, bottom: HTMLElement }} List
 */

/** @type {Map<HTMLElement, List>} the windowed lists on (or about to be on) the page */
const lists = new Map();
/** Measured row height per kind of list (a re-render keeps the page's height, so its scroll position). @type {Map<string, number>} */
const heights = new Map();
let scheduled = false;

/** @param {string} key */
function rowHeight(key) {
  return heights.get(key) ?? GUESS;
}

/** @param {number} px */
function spacer(px) {
  const li = document.createElement('li');
  li.className = 'tab-spacer';
  li.setAttribute('aria-hidden', 'true');
  li.style.height = `${px}px`;
  return li;
}

/**
 * Fills `ol` with `count` rows, row(i) making row i. `windowed`: only the rows
 * near the viewport are made (else all of them, at once). `key` names the kind
 * of row, whose measured height is kept for the next list of that kind.
 * @param {HTMLElement} ol
 * @param {number} count
 * @param {(i: number) => HTMLElement} row
 * @param {{ windowed?: boolean, key?: string }} [options]
 */
export function listRows(ol, count, row, { windowed = count > WINDOWED_FROM, key = 'tabs' } = {}) {
  forget(ol);
  if (!windowed) {
    const rows = document.createDocumentFragment();
    for (let i = 0; i < count; i += 1) rows.append(row(i));
    ol.replaceChildren(rows);
    return;
  }
  const h = rowHeight(key);
  /** @type {List} */
  const list = { ol, count, row, key, first: 0, last: 0, rows: new Map(), top: spacer(0), bottom: spacer(count * h) };
  ol.dataset.windowed = String(count);
  ol.replaceChildren(list.top, list.bottom);
  lists.set(ol, list);
  scheduleRows();
}

/** Stops windowing `ol` (its rows stay as they are). @param {HTMLElement} ol */
function forget(ol) {
  lists.delete(ol);
  delete ol.dataset.windowed; // (else: its row count)
}

/** Renders what scrolling or a resize brought into view, before the next frame. */
export function scheduleRows() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    showRows();
  });
}

/**
 * Renders, now, the rows near the viewport of every windowed list (inside
 * `root`, when given): for a page that looks for a row, or moves the focus,
 * right after putting its lists in.
 * @param {Node} [root]
 */
export function showRows(root) {
  for (const [ol, list] of lists) {
    if (!ol.isConnected) {
      // Gone with a re-render: drop it once it cannot come back (a list not
      // yet put in is kept: it is connected by then, or never rendered).
      if (list.first !== list.last || ol.dataset.shown) lists.delete(ol);
      continue;
    }
    if (root && !root.contains(ol)) continue;
    ol.dataset.shown = 'true';
    place(list, visibleRange(list));
  }
}

/** The rows of `list` within OVERSCAN rows of the viewport. @param {List} list @returns {[number, number]} */
function visibleRange(list) {
  const h = rowHeight(list.key);
  const box = list.ol.getBoundingClientRect();
  if (box.height === 0 && box.top === 0) return [0, 0]; // hidden (a folded window)
  const view = window.innerHeight;
  const from = Math.floor(-box.top / h) - OVERSCAN;
  const to = Math.ceil((view - box.top) / h) + OVERSCAN;
  const first = Math.max(0, Math.min(list.count, from));
  const last = Math.max(first, Math.min(list.count, to));
  return [first, last];
}

/**
 * Makes rows first..last-1 the ones on the page, keeping those already there.
 * @param {List} list @param {[number, number]} range @param {{ rebuild?: boolean }} [options]
 */
function place(list, [first, last], { rebuild = false } = {}) {
  if (!rebuild && first === list.first && last === list.last) return;
  const focused = list.ol.contains(document.activeElement) ? document.activeElement : null;
  const focusedId = focused?.id ?? '';
  /** @type {Map<number, HTMLElement>} */
  const rows = new Map();
  for (let i = first; i < last; i += 1) {
    const old = rebuild ? null : list.rows.get(i);
    rows.set(i, old ?? numbered(list.row(i), i, list.count));
  }
  for (const [i, li] of list.rows) if (rows.get(i) !== li) li.remove();
  // Put them in order between the spacers (rows kept stay where they are).
  /** @type {Node} */
  let at = list.top;
  for (const li of rows.values()) {
    if (at.nextSibling !== li) list.ol.insertBefore(li, at.nextSibling);
    at = li;
  }
  list.rows = rows;
  list.first = first;
  list.last = last;
  measure(list);
  const h = rowHeight(list.key);
  list.top.style.height = `${first * h}px`;
  list.bottom.style.height = `${(list.count - last) * h}px`;
  if (focusedId && !list.ol.contains(document.activeElement)) {
    const again = document.getElementById(focusedId);
    if (again && list.ol.contains(again)) again.focus({ preventScroll: true });
  }
}

/** @param {HTMLElement} li @param {number} i @param {number} count */
function numbered(li, i, count) {
  li.setAttribute('aria-setsize', String(count));
  li.setAttribute('aria-posinset', String(i + 1));
  return li;
}

/** Keeps the average height of the rendered rows as the height of a row of this kind. @param {List} list */
function measure(list) {
  const n = list.rows.size;
  if (!n || heights.has(list.key)) return;
  let sum = 0;
  for (const li of list.rows.values()) sum += li.offsetHeight;
  if (sum > 0) heights.set(list.key, sum / n);
}

/**
 * Remakes the rendered rows of `ol` from the page's state (after a window was
 * ticked, say); the rows not rendered are made from that state when they come
 * into view. Also right for a list that is not windowed: nothing to do then,
 * the page updates its rows itself.
 * @param {HTMLElement} ol
 */
export function refreshRows(ol) {
  const list = lists.get(ol);
  if (list) place(list, [list.first, list.last], { rebuild: true });
}

/**
 * Row `i` of `ol`, rendered first if it was not, and scrolled to the middle of
 * the view (`block`). Null when there is no such row.
 * @param {HTMLElement} ol @param {number} i @param {{ block?: ScrollLogicalPosition, behavior?: ScrollBehavior }} [options]
 * @returns {HTMLElement | null}
 */
export function revealRow(ol, i, { block = 'center', behavior = 'auto' } = {}) {
  const list = lists.get(ol);
  if (!list) {
    const li = /** @type {HTMLElement | null} */ (ol.children[i] ?? null);
    li?.scrollIntoView({ block, behavior });
    return li;
  }
  if (i < 0 || i >= list.count) return null;
  const span = Math.ceil(window.innerHeight / rowHeight(list.key)) + OVERSCAN;
  place(list, [Math.max(0, i - span), Math.min(list.count, i + span + 1)]);
  const li = list.rows.get(i) ?? null;
  li?.scrollIntoView({ block, behavior });
  return li;
}

/** Whether `ol` lists its rows windowed. @param {HTMLElement} ol */
export function isWindowed(ol) {
  return lists.has(ol);
}

// Keyboard focus walking the rows (Tab held down, a busy machine) can outrun
// the frame that renders what its scrolling brought into view: the rows next
// to the focused one are made at once, so the next Tab finds its row.
document.addEventListener('focusin', (event) => {
  const li = event.target instanceof Element ? event.target.closest('li') : null;
  const list = li?.parentElement ? lists.get(li.parentElement) : undefined;
  if (!li || !list) return;
  const at = [...list.rows].find(([, row]) => row === li)?.[0];
  if (at === undefined) return;
  const [first, last] = visibleRange(list);
  place(list, [Math.max(0, Math.min(first, at - OVERSCAN)), Math.min(list.count, Math.max(last, at + OVERSCAN + 1))]);
});

// One listener for every list; scroll does not bubble, so listen while it is
// captured (the import preview scrolls inside its own box).
document.addEventListener('scroll', scheduleRows, { capture: true, passive: true });
window.addEventListener('resize', scheduleRows, { passive: true });
