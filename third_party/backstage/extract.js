// Writes the Backstage catalog contracts as plain JSON into OUT_DIR:
//   catalog-openapi.json        the `spec` export of plugin-catalog-backend's generated router
//   schemas/<$id>.json          every entity JSON schema of catalog-model (keyed by its $id)
// Usage: node extract.js OUT_DIR. Reads only the installed packages (no network).
'use strict';
const fs = require('fs');
const path = require('path');
const Module = require('module');

const modules = path.join(__dirname, 'node_modules', '@backstage');
const out = process.argv[2];
if (!out) {
  console.error('usage: node extract.js OUT_DIR');
  process.exit(2);
}

// The router module also builds an Express router from the spec; its one require (the
// OpenAPI utilities) is not installed, and `spec` does not need it, so it gets an empty stand-in.
function loadWithoutDependencies(file) {
  const m = new Module(file);
  m.filename = file;
  m.paths = [];
  m.require = () => ({});
  m._compile(fs.readFileSync(file, 'utf8'), file);
  return m.exports;
}

const router = path.join(modules, 'plugin-catalog-backend', 'dist', 'schema', 'openapi',
  'generated', 'router.cjs.js');
const { spec } = loadWithoutDependencies(router);
if (!spec || !spec.paths || !spec.paths['/entities/by-query']) {
  console.error(`${router}: no catalog OpenAPI spec with /entities/by-query`);
  process.exit(1);
}
fs.mkdirSync(path.join(out, 'schemas'), { recursive: true });
fs.writeFileSync(path.join(out, 'catalog-openapi.json'), JSON.stringify(spec, null, 1) + '\n');

const schemaRoot = path.join(modules, 'catalog-model', 'dist', 'schema');
let count = 0;
(function walk(dir) {
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (fs.statSync(file).isDirectory()) {
      walk(file);
    } else if (name.endsWith('.schema.json.cjs.js')) {
      const m = loadWithoutDependencies(file);
      const schema = m.default || m;
      if (!schema.$id) {
        console.error(`${file}: schema without $id`);
        process.exit(1);
      }
      fs.writeFileSync(path.join(out, 'schemas', `${schema.$id}.json`),
        JSON.stringify(schema, null, 1) + '\n');
      ++count;
    }
  }
})(schemaRoot);
if (!count) {
  console.error(`${schemaRoot}: no entity schemas`);
  process.exit(1);
}
