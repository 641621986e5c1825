// @ts-check
// Loads the optimised module once (argv: the pkg/ directory): a bad wasm-opt
// validates fine yet fails at instantiation.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const dir = process.argv[2];
if (!dir) throw new Error('usage: wasm-instantiates.mjs <pkg dir>');
/** @type {{ initSync: (init: { module: BufferSource }) => unknown }} */
const bindings = await import(pathToFileURL(`${dir}/lifeboat.js`).href);
bindings.initSync({ module: readFileSync(`${dir}/lifeboat_bg.wasm`) });
