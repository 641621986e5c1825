// Polling helpers: browsers give few events we can rely on across restarts,
// so tests poll real state with a deadline instead of sleeping blindly.

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with fn()'s first truthy value; throws (with fn's last error) after `timeout` ms. */
export async function waitUntil(fn, { timeout = 10_000, interval = 250, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      // A browser call can hang (a tab closing under it): bound each attempt too.
      const value = await withTimeout(fn(), Math.max(deadline - Date.now(), 1_000), what);
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const why = lastError ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${why}`);
    }
    await sleep(interval);
  }
}

/** Like waitUntil but returns null instead of throwing: for "must NOT happen" checks. */
export async function waitOrNull(fn, options) {
  try {
    return await waitUntil(fn, options);
  } catch (error) {
    if (/^timed out/.test(error.message)) return null;
    throw error;
  }
}

/** Rejects if `promise` takes longer than `ms`. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
