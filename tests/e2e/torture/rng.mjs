// A small seeded PRNG (mulberry32), so a torture run's workload can be replayed
// from its seed (timing still varies: the browsers decide how long things take).

export function rng(seed) {
  let a = (Number(seed) >>> 0) || 0x9e3779b9;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r = {
    next,
    /** Integer in [lo, hi]. */
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    /** Float in [lo, hi). */
    between: (lo, hi) => lo + next() * (hi - lo),
    chance: (p) => next() < p,
    pick: (list) => list[Math.floor(next() * list.length)],
    /** weights: { name: weight } → a name. */
    weighted: (weights) => {
      const entries = Object.entries(weights).filter(([, w]) => w > 0);
      let x = next() * entries.reduce((s, [, w]) => s + w, 0);
      for (const [name, w] of entries) {
        x -= w;
        if (x < 0) return name;
      }
      return entries[entries.length - 1][0];
    },
  };
  return r;
}

/** A per-browser seed from the run's seed, so both browsers do not replay the same dice. */
export function seedFor(seed, kind) {
  let h = Number(seed) >>> 0;
  for (const c of kind) h = Math.imul(h ^ c.charCodeAt(0), 2654435761) >>> 0;
  return h;
}
