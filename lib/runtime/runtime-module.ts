/**
 * Imports a module of the runtime that is kept out of a function's main bundle (loaded only when
 * needed): the bundler writes it beside index.mjs (lib/constructs/bundler.ts, LAZY_RUNTIME_MODULES).
 * The module is found beside this file with this file's own extension: `.ts` in the sources,
 * `.js`/`.cjs` in the package's dist, `.mjs` beside a function's bundle (where this code is part
 * of index.mjs). A computed specifier, so no bundler pulls the module in.
 */
export function importRuntimeModule<T>(name: 'trace-export' | 'record-spans' | 'pii-crypto'): Promise<T> {
  const self = import.meta.url;
  return import(new URL(`./${name}${self.slice(self.lastIndexOf('.'))}`, self).href) as Promise<T>;
}
