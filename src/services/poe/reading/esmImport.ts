/**
 * Loads an ES module from CommonJS. TypeScript compiles `import()` to `require()` under "module":
 * "commonjs", which can't load pdf.js (ES modules only); a function made at run time keeps the real
 * `import()`. Used inside the reader process only, where Node (not jest's module registry) loads modules.
 */
export const importEsm = new Function('specifier', 'return import(specifier)') as <T>(specifier: string) => Promise<T>;
