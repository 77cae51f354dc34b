// derive.js turns the pinned kubernetes-models packages unpacked by fetch.sh
// into schemas.json, the one file deploy_test.go reads (it never reads the
// packages):
//
//   kinds  - each kind the manifests use ("apps/v1 Deployment"), with the
//            pointer to its definition
//   $defs  - those definitions and every definition they reference, and
//            nothing else (a Deployment's pod spec pulls in most of core/v1)
//
// The packages hold one JavaScript module per definition, whose schema is a
// JSON object literal passed to register("io.k8s...", schema). derive.js
// reads that literal as JSON; it runs none of the packages' code. The
// schemas are Ajv's dialect of draft-07; they become plain JSON Schema
// (2020-12) here, so a standard validator needs no special mode:
//
//   "$ref": "io.k8s.api.core.v1.Probe#"   -> "#/$defs/io.k8s.api.core.v1.Probe"
//   "nullable": true                      -> a "null" type (and null in an enum)
//   an object schema with "properties" and no "additionalProperties"
//                                         -> "additionalProperties": false
//
// The last one is the point: the API server (kubectl apply's default
// --validate=strict, server-side field validation) refuses a field its Go
// type does not have, so a typo such as "readinesProbe" must fail here too,
// where the published OpenAPI allows it. Maps (labels, annotations, data,
// matchLabels) keep their "additionalProperties" schema, and the free-form
// types (FieldsV1, RawExtension) have no "properties" and stay open.
//
// A keyword derive.js does not know stops it: a newer package that uses one
// must be looked at, not silently passed through.
//
// Usage: node derive.js UNPACK_DIR OUT_DIR
// The output is a pure function of the packages: running it twice gives
// identical files.
"use strict";
const fs = require("fs");
const path = require("path");

const [unpackDir, outDir] = process.argv.slice(2);
if (!unpackDir || !outDir) {
  console.error("usage: node derive.js UNPACK_DIR OUT_DIR");
  process.exit(2);
}

// KINDS are the objects in deploy/kubernetes/: apiVersion and kind, and the
// OpenAPI definition that describes them.
const KINDS = {
  "apps/v1 Deployment": "io.k8s.api.apps.v1.Deployment",
  "v1 Service": "io.k8s.api.core.v1.Service",
  "v1 Secret": "io.k8s.api.core.v1.Secret",
  "networking.k8s.io/v1 Ingress": "io.k8s.api.networking.v1.Ingress",
  "policy/v1 PodDisruptionBudget": "io.k8s.api.policy.v1.PodDisruptionBudget",
};

const pkg = (dir) => JSON.parse(fs.readFileSync(path.join(unpackDir, dir, "package", "package.json"), "utf8"));

// load reads every definition of one package: id -> schema.
function load(dir) {
  const schemasDir = path.join(unpackDir, dir, "package", "_schemas");
  const out = {};
  for (const name of fs.readdirSync(schemasDir).sort()) {
    if (!name.endsWith(".js")) continue; // .mjs holds the same, .d.ts types
    const text = fs.readFileSync(path.join(schemasDir, name), "utf8");
    const lit = /\nconst schema = (\{\}|\{\n[\s\S]*?\n\});\nfunction addSchema\(\)/.exec(text);
    const reg = [...text.matchAll(/\bregister\)\("([\w.-]+)", schema\)/g)];
    if (!lit || reg.length !== 1) {
      throw new Error(`${dir}/_schemas/${name}: no "const schema = {...}" registered once; the package layout changed`);
    }
    out[reg[0][1]] = JSON.parse(lit[1]);
  }
  return out;
}

const all = { ...load("apimachinery"), ...load("models") };

const SCHEMA_ARRAYS = new Set(["oneOf", "anyOf", "allOf"]);
const VALUES = new Set(["type", "format", "enum", "required"]);

// convert turns one schema of the packages' dialect into 2020-12, and
// collects the definitions it references.
function convert(s, where, refs) {
  if (s === null || typeof s !== "object" || Array.isArray(s)) {
    throw new Error(`${where}: a schema must be an object`);
  }
  const out = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "$ref") {
      const m = /^([\w.-]+)#$/.exec(v);
      if (!m || !(m[1] in all)) throw new Error(`${where}: $ref ${JSON.stringify(v)} names no definition`);
      if (Object.keys(s).length !== 1) throw new Error(`${where}: $ref with siblings means something else in 2020-12`);
      refs.add(m[1]);
      out.$ref = "#/$defs/" + m[1];
    } else if (k === "properties") {
      out.properties = {};
      for (const [p, ps] of Object.entries(v)) out.properties[p] = convert(ps, `${where}.${p}`, refs);
    } else if (k === "items") {
      out.items = convert(v, `${where}[]`, refs);
    } else if (k === "additionalProperties") {
      out.additionalProperties = typeof v === "boolean" ? v : convert(v, `${where}{}`, refs);
    } else if (SCHEMA_ARRAYS.has(k)) {
      out[k] = v.map((x, i) => convert(x, `${where}/${k}/${i}`, refs));
    } else if (VALUES.has(k)) {
      out[k] = v;
    } else if (k === "nullable") {
      if (v !== true) throw new Error(`${where}: nullable ${v}`);
    } else {
      throw new Error(`${where}: unknown keyword ${JSON.stringify(k)}`);
    }
  }
  if (s.nullable) {
    if (typeof out.type !== "string") throw new Error(`${where}: nullable without one type`);
    out.type = [out.type, "null"];
    if (out.enum) out.enum = [...out.enum, null];
  }
  if (out.properties && !("additionalProperties" in out)) out.additionalProperties = false;
  return out;
}

const defs = {};
const todo = Object.values(KINDS);
while (todo.length > 0) {
  const id = todo.pop();
  if (id in defs) continue;
  if (!(id in all)) throw new Error(`no definition ${id}`);
  const refs = new Set();
  defs[id] = convert(all[id], id, refs);
  todo.push(...[...refs].filter((r) => !(r in defs)));
}

// sortKeys orders object keys by code points, whatever the machine's
// locale, down the whole tree.
function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== "object") return v;
  const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((k) => [k, sortKeys(v[k])]));
}

const models = pkg("models"), apimachinery = pkg("apimachinery");
const doc = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $comment:
    `Derived by derive.js from ${models.name} ${models.version} (Kubernetes 1.27.1) and ` +
    `${apimachinery.name} ${apimachinery.version}; do not edit, run fetch.sh.`,
  kinds: Object.fromEntries(Object.entries(KINDS).map(([k, id]) => [k, "#/$defs/" + id])),
  $defs: sortKeys(defs),
};

// One definition a line: a small file whose diffs still show which
// definition changed.
const lines = Object.entries(doc.$defs).map(([id, s]) => "  " + JSON.stringify(id) + ": " + JSON.stringify(s));
const head = ["$schema", "$comment", "kinds"].map((k) => "  " + JSON.stringify(k) + ": " + JSON.stringify(doc[k]));
fs.writeFileSync(
  path.join(outDir, "schemas.json"),
  "{\n" + head.join(",\n") + ',\n  "$defs": {\n' + lines.map((l) => "  " + l).join(",\n") + "\n  }\n}\n",
);
console.log(`schemas.json: ${Object.keys(KINDS).length} kinds, ${lines.length} definitions`);
