// The comparable part of a session and how a restored one is judged against the
// workload's log. Only tabs on the test server count (start pages, extension
// pages and about: pages are not the workload's); every workload URL is unique,
// so a tab is known by its path.

/** One tab as compared: path, pinned, group ("title|color"), container name. */
function tabOf(path, pinned, group, container) {
  return {
    path,
    pinned: Boolean(pinned),
    group: group ? `${group.title ?? ''}|${group.color ?? ''}` : null,
    container: container ?? null,
  };
}

function finish(windows) {
  return windows.filter((w) => w.length > 0).sort((a, b) => a[0].path.localeCompare(b[0].path));
}

/** From ExtensionPage.state() (the browser's own account). */
export function projectLive(state, origin) {
  return finish(state.map((w) => w.tabs
    .filter((t) => t.url.startsWith(`${origin}/`))
    .map((t) => tabOf(t.url.slice(origin.length), t.pinned, t.group, t.container))));
}

/** From a `plan` answer (docs/PROTOCOL.md). */
export function projectPlan(plan, origin) {
  return finish((plan.windows ?? []).map((w) => w.tabs
    .filter((t) => typeof t.url === 'string' && t.url.startsWith(`${origin}/`))
    .map((t) => tabOf(t.url.slice(origin.length), t.pinned, t.group, t.container?.name ?? null))));
}

export const keyOf = (windows) => JSON.stringify(windows);

/** Typed text per note path in a stored session (a `backup` record's decoded session). */
export function storedTexts(session, origin, field) {
  const out = {};
  for (const w of session?.windows ?? []) {
    for (const t of w.tabs ?? []) {
      if (!t.url?.startsWith(`${origin}/`)) continue;
      const top = t.page?.frames?.find((f) => f.frame === '');
      const f = top?.fields?.find((x) => x.key === `#${field}`);
      const v = f?.value;
      out[t.url.slice(origin.length)] = typeof v === 'string' ? v : (v?.Text ?? v?.Editable ?? '');
    }
  }
  return out;
}

/** What differs between `expected` and `actual` (compared windows), in words. */
export function describeDiff(expected, actual) {
  const where = (windows) => {
    const m = new Map();
    windows.forEach((w, wi) => w.forEach((t, ti) => m.set(t.path, { ...t, wi, ti, first: w[0].path })));
    return m;
  };
  const e = where(expected);
  const a = where(actual);
  const out = [];
  const missing = [...e.keys()].filter((p) => !a.has(p));
  const extra = [...a.keys()].filter((p) => !e.has(p));
  if (missing.length) out.push(`missing tabs: ${missing.join(' ')}`);
  if (extra.length) out.push(`tabs that should be gone: ${extra.join(' ')}`);
  for (const [p, x] of e) {
    const y = a.get(p);
    if (!y) continue;
    for (const prop of ['pinned', 'group', 'container']) {
      if (x[prop] !== y[prop]) out.push(`${p} ${prop} ${JSON.stringify(y[prop])} instead of ${JSON.stringify(x[prop])}`);
    }
  }
  // Window membership: which tabs share a window with which.
  const together = (m) => new Map([...m].map(([p, t]) => [p, t.first]));
  const te = together(e);
  const ta = together(a);
  const common = [...e.keys()].filter((p) => a.has(p));
  const windowsOf = (tm) => new Set(common.map((p) => common.filter((q) => tm.get(q) === tm.get(p)).join(',')));
  const we = windowsOf(te);
  const wa = windowsOf(ta);
  if ([...we].some((x) => !wa.has(x))) out.push(`tabs in other windows: ${[...wa].filter((x) => !we.has(x)).map((x) => `[${x}]`).join(' ')} instead of ${[...we].filter((x) => !wa.has(x)).map((x) => `[${x}]`).join(' ')}`);
  else {
    for (const w of expected) {
      const order = w.map((t) => t.path).filter((p) => a.has(p));
      const got = actual.find((x) => x.some((t) => t.path === order[0]))?.map((t) => t.path).filter((p) => e.has(p)) ?? [];
      if (order.join() !== got.join()) out.push(`order ${got.join(' ')} instead of ${order.join(' ')}`);
    }
  }
  return out.length ? out : ['(equal)'];
}

/**
 * The restored state against the log. `states`: distinct compared states in
 * order, each { key, windows, from, until } (until: when the action that
 * replaced it started; null for the state at the kill). Returns the newest
 * logged state equal to `restored` and its age at the kill: 0 if it was the
 * state at the kill, else how long before the kill it stopped being true.
 */
export function recoveryPoint(states, restoredKey, killAt) {
  for (let i = states.length - 1; i >= 0; i--) {
    if (states[i].key !== restoredKey) continue;
    const until = states[i].until;
    return { index: i, ageMs: until == null ? 0 : Math.max(0, killAt - until), newest: i === states.length - 1 };
  }
  return null;
}

/** The state that was true at `t` (the last one that began at or before it). */
export function stateAt(states, t) {
  let found = states[0];
  for (const s of states) if (s.from <= t) found = s;
  return found;
}

/** Typed text: the newest logged value equal to the stored one, and its age at the kill. */
export function textPoint(log, stored, killAt) {
  for (let i = log.length - 1; i >= 0; i--) {
    if (log[i].value !== stored) continue;
    const until = log[i].until;
    return { ageMs: until == null ? 0 : Math.max(0, killAt - until) };
  }
  return null;
}

export function quantile(sorted, q) {
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

export function distribution(values) {
  const s = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
  return { n: s.length, median: quantile(s, 0.5), p95: quantile(s, 0.95), max: s.length ? s[s.length - 1] : null };
}

/**
 * Did a restore reopen what its plan said? `plan`: the plan answer it followed;
 * `before`/`live`: compared windows before and after it. Every tab the plan
 * restores is open exactly once with its pinned/group/container, the tabs of one
 * planned window stay together in plan order, in a new window or in the window
 * holding that planned window's tabs the browser had reopened itself; nothing
 * else appeared and nothing that was open went away. Returns problems in words.
 */
export function reopenProblems(plan, before, live, origin) {
  const out = [];
  const where = new Map();
  live.forEach((w, wi) => w.forEach((t, ti) => {
    if (where.has(t.path)) out.push(`${t.path} open twice`);
    where.set(t.path, { ...t, wi, ti });
  }));
  const wasOpen = new Map();
  before.forEach((w, wi) => w.forEach((t) => wasOpen.set(t.path, wi)));
  const planned = new Set();
  for (const [pi, w] of (plan.windows ?? []).entries()) {
    const tabs = projectPlan({ windows: [w] }, origin)[0] ?? [];
    const status = new Map(w.tabs.filter((x) => x.url?.startsWith(`${origin}/`)).map((x) => [x.url.slice(origin.length), x.status]));
    const restored = tabs.filter((t) => status.get(t.path) === 'restore');
    const already = tabs.filter((t) => status.get(t.path) === 'already_open');
    tabs.forEach((t) => planned.add(t.path));
    for (const t of restored) {
      const got = where.get(t.path);
      if (!got) out.push(`${t.path} not reopened`);
      else for (const prop of ['pinned', 'group', 'container']) {
        if (got[prop] !== t[prop]) out.push(`${t.path} ${prop} ${JSON.stringify(got[prop])} instead of ${JSON.stringify(t[prop])}`);
      }
    }
    const homes = new Set(restored.map((t) => where.get(t.path)?.wi).filter((x) => x !== undefined));
    if (homes.size > 1) out.push(`planned window ${pi} split over ${homes.size} windows`);
    const [home] = homes;
    if (home !== undefined) {
      const hosts = live[home].filter((t) => wasOpen.has(t.path)).map((t) => t.path);
      const own = new Set(already.map((t) => t.path));
      if (hosts.some((p) => !own.has(p))) out.push(`planned window ${pi} went into a window holding other tabs (${hosts.join(' ')})`);
      const order = live[home].map((t) => t.path).filter((p) => restored.some((t) => t.path === p));
      if (order.join() !== restored.map((t) => t.path).join()) out.push(`planned window ${pi} in order ${order.join(' ')} instead of ${restored.map((t) => t.path).join(' ')}`);
    }
  }
  for (const p of wasOpen.keys()) if (!where.has(p)) out.push(`${p} was open and is gone`);
  for (const p of where.keys()) if (!wasOpen.has(p) && !planned.has(p)) out.push(`${p} appeared, not in the plan`);
  return out;
}
