// Minifies the JavaScript glue wasm-bindgen writes (dist/myorgs-*.js) with terser, and puts the
// new file's hash in index.html's `integrity` attribute for it. Trunk's own minifier (minify-js)
// can't read the glue's `export { ... as default }` and leaves it as written ("Failed to minify
// JS" in the build's log): 65 KB of JavaScript where 29 KB do, 8.4 KB brotli where 6.8 KB do.
// Names the module exports, and the names of the imports the WebAssembly asks for (properties of
// an object), are kept: terser renames only local variables and functions.
//
// Usage: node scripts/minify-glue.mjs DIST   (scripts/trunk-release.sh runs it after Trunk)
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { minify } from 'terser';

const dist = process.argv[2];
if (!dist) {
  console.error('usage: node scripts/minify-glue.mjs DIST');
  process.exit(2);
}
const glue = readdirSync(dist).filter((f) => /^myorgs-[0-9a-f]+\.js$/.test(f));
if (glue.length !== 1) {
  console.error(`minify-glue: expected one myorgs-<hash>.js in ${dist}, found ${glue.length}`);
  process.exit(1);
}
const file = join(dist, glue[0]);
const source = readFileSync(file, 'utf8');
const out = await minify(source, { module: true, ecma: 2020, compress: { passes: 2 }, mangle: true });
if (!out.code) {
  console.error(`minify-glue: terser returned nothing for ${file}`);
  process.exit(1);
}
writeFileSync(file, out.code);

// The `<link rel=modulepreload>` Trunk writes for the glue carries its sha384; the browser
// refuses the module if it doesn't match.
const integrity = `sha384-${createHash('sha384').update(out.code).digest('base64')}`;
const indexFile = join(dist, 'index.html');
const index = readFileSync(indexFile, 'utf8');
let replaced = 0;
const updated = index.replace(/<link\b[^>]*>/g, (tag) => {
  if (!tag.includes(`/${glue[0]}`)) return tag;
  return tag.replace(/integrity=("?)sha384-[A-Za-z0-9+/=]+\1/, () => {
    replaced += 1;
    return `integrity="${integrity}"`;
  });
});
if (replaced !== 1) {
  console.error(`minify-glue: expected one integrity attribute for ${glue[0]} in index.html, found ${replaced}`);
  process.exit(1);
}
writeFileSync(indexFile, updated);
console.log(`minify-glue: ${glue[0]} ${source.length} -> ${out.code.length} bytes`);
