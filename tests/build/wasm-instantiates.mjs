// @ts-check
// Loads each optimised module once (argv: the pkg/ directory): a bad wasm-opt
// validates fine yet fails at instantiation. Two modules come from the crate:
// the background's (lifeboat) and the pages' (lifeboat_pages).
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const dir = process.argv[2];
if (!dir) throw new Error('usage: wasm-instantiates.mjs <pkg dir>');
for (const name of ['lifeboat', 'lifeboat_pages']) {
  /** @type {{ initSync: (init: { module: BufferSource }) => unknown }} */
  const bindings = await import(pathToFileURL(`${dir}/${name}.js`).href);
  bindings.initSync({ module: readFileSync(`${dir}/${name}_bg.wasm`) });
}
