#!/usr/bin/env node
// Validates Kubernetes manifests offline: each YAML document against the pinned
// kubernetes-models schema of its apiVersion and kind, and every key against the keys that
// schema knows (kubernetes-models alone accepts a misspelled key).
//
//   check-manifests.js FILE...                  every document must be valid (exit 1 if not)
//   check-manifests.js --expect-errors FILE...  each file, checked alone, must fail with the
//                                               message its `# expect: TEXT` line gives
// Documents checked together must also resolve the ConfigMaps and Secrets their pods name.
// Errors are `file:line:col: error: message`.
"use strict";
const fs = require("fs");
const path = require("path");

const modules = path.join(__dirname, "..", "..", "third_party", "kubernetes", "node_modules");
const YAML = require(path.join(modules, "yaml"));

// The model class of apiVersion/kind, e.g. batch/v1 Job -> kubernetes-models/batch/v1.
function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return null;
  let exports;
  try {
    exports = require(path.join(modules, "kubernetes-models", apiVersion)); // core: "v1"
  } catch {
    return null;
  }
  return Object.prototype.hasOwnProperty.call(exports, kind) ? exports[kind] : null;
}

// Wraps `data` so that the keys a validator reads are recorded per object path. An object whose
// keys the validator enumerates is a map (labels, ConfigMap data): any key is allowed there.
function tracking(data, seen) {
  const wrap = (value) => {
    if (value === null || typeof value !== "object") return value;
    const entry = { read: new Set(), map: false };
    seen.set(value, entry);
    return new Proxy(value, {
      get(target, key) {
        if (typeof key === "string") entry.read.add(key);
        return wrap(target[key]);
      },
      has(target, key) {
        if (typeof key === "string") entry.read.add(key);
        return key in target;
      },
      ownKeys(target) {
        entry.map = true;
        return Reflect.ownKeys(target);
      },
    });
  };
  return wrap(data);
}

// The keys of `data` that no schema knows: [path array] for each, outermost only.
function unknownKeys(data, seen, at = []) {
  const found = [];
  if (data === null || typeof data !== "object") return found;
  const entry = seen.get(data);
  if (!entry) return found;
  for (const key of Object.keys(data)) {
    const where = [...at, Array.isArray(data) ? Number(key) : key];
    if (!Array.isArray(data) && !entry.map && !entry.read.has(key)) {
      found.push(where);
      continue;
    }
    found.push(...unknownKeys(data[key], seen, where));
  }
  return found;
}

// Where `where` (a path into the document) starts: the key's position, else the value's.
function locate(doc, where, lines) {
  let node = doc.contents;
  let offset = node && node.range ? node.range[0] : 0;
  for (const step of where) {
    if (!node || !node.items) break;
    if (YAML.isSeq(node)) {
      node = node.items[step];
      if (node && node.range) offset = node.range[0];
    } else {
      const pair = node.items.find((p) => p.key && String(p.key.value) === String(step));
      if (!pair) break;
      if (pair.key.range) offset = pair.key.range[0];
      node = pair.value;
    }
  }
  const { line, col } = lines.linePos(offset);
  return `${line}:${col}`;
}

function instancePathToArray(instancePath) {
  if (!instancePath) return [];
  return instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

// The ConfigMaps and Secrets that pods refer to, by name and key, must be among `objects` (the
// documents checked together): a misspelled name would leave the pod pending.
function checkReferences(objects) {
  const errors = [];
  const keysOf = (kind, name) => {
    const o = objects.find((x) => x.data.kind === kind && x.data.metadata && x.data.metadata.name === name);
    return o ? new Set([...Object.keys(o.data.data || {}), ...Object.keys(o.data.stringData || {})]) : null;
  };
  const visit = (value, where, object) => {
    if (value === null || typeof value !== "object") return;
    const refs = [
      ["configMapKeyRef", "ConfigMap", "name", (v) => [v.key]],
      ["secretKeyRef", "Secret", "name", (v) => [v.key]],
      ["configMap", "ConfigMap", "name", (v) => (v.items || []).map((i) => i.key)],
      ["secret", "Secret", "secretName", (v) => (v.items || []).map((i) => i.key)],
    ];
    for (const [field, kind, nameField, keys] of refs) {
      const ref = value[field];
      if (!ref || typeof ref !== "object" || typeof ref[nameField] !== "string" || ref.optional) continue;
      const known = keysOf(kind, ref[nameField]);
      const at = `${object.file}:${locate(object.doc, [...where, field], object.lines)}`;
      if (!known) {
        errors.push(`${at}: error: ${kind} ${ref[nameField]} is not among the manifests`);
        continue;
      }
      for (const key of keys(ref)) {
        if (!known.has(key)) errors.push(`${at}: error: ${kind} ${ref[nameField]} has no key ${key}`);
      }
    }
    for (const [k, v] of Object.entries(value)) visit(v, [...where, Array.isArray(value) ? Number(k) : k], object);
  };
  for (const object of objects) {
    if (object.data.kind !== "ConfigMap" && object.data.kind !== "Secret") visit(object.data, [], object);
  }
  return errors;
}

function checkFile(file, objects = []) {
  const text = fs.readFileSync(file, "utf8");
  const lines = new YAML.LineCounter();
  const errors = [];
  const docs = YAML.parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true });
  for (const doc of docs) {
    for (const e of doc.errors) {
      const { line, col } = lines.linePos(e.pos[0]);
      errors.push(`${file}:${line}:${col}: error: ${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`);
    }
    if (doc.errors.length) continue;
    const data = doc.toJS();
    if (data === null || data === undefined) continue;
    const at = (where) => `${file}:${locate(doc, where, lines)}`;
    const Model = modelFor(data.apiVersion, data.kind);
    if (!Model) {
      errors.push(`${at(["kind"])}: error: unknown apiVersion/kind ${data.apiVersion}/${data.kind}`);
      continue;
    }
    const seen = new Map();
    try {
      Model.prototype.validate.call(tracking(data, seen));
    } catch (e) {
      for (const item of e.errors || [{ instancePath: "", message: e.message }]) {
        const where = instancePathToArray(item.instancePath);
        errors.push(`${at(where)}: error: ${data.kind} ${item.instancePath || "/"} ${item.message}`);
      }
      continue;
    }
    const unknown = unknownKeys(data, seen);
    for (const where of unknown) {
      errors.push(`${at(where)}: error: ${data.kind}: unknown key ${where.join(".")}`);
    }
    if (!unknown.length) objects.push({ file, doc, lines, data });
  }
  return errors;
}

function main(argv) {
  const expectErrors = argv[0] === "--expect-errors";
  const files = expectErrors ? argv.slice(1) : argv;
  if (!files.length) {
    console.error("usage: check-manifests.js [--expect-errors] FILE...");
    return 2;
  }
  let failed = 0;
  const objects = [];
  for (const file of files) {
    const own = [];
    const errors = checkFile(file, own);
    objects.push(...own);
    if (expectErrors) errors.push(...checkReferences(own));
    if (!expectErrors) {
      errors.forEach((e) => console.error(e));
      if (errors.length) failed++;
      else console.log(`${file}: ok`);
      continue;
    }
    const expect = /^# expect: (.*)$/m.exec(fs.readFileSync(file, "utf8"));
    if (!expect) {
      console.error(`${file}:1:1: error: no '# expect: TEXT' line`);
      failed++;
    } else if (!errors.some((e) => e.includes(expect[1]))) {
      console.error(`${file}: expected an error containing "${expect[1]}", got:`);
      errors.forEach((e) => console.error(`  ${e}`));
      if (!errors.length) console.error("  (no error)");
      failed++;
    } else {
      console.log(`${file}: rejected as expected: ${errors.find((e) => e.includes(expect[1]))}`);
    }
  }
  if (!expectErrors) {
    const errors = checkReferences(objects);
    errors.forEach((e) => console.error(e));
    if (errors.length) failed++;
  }
  return failed ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
