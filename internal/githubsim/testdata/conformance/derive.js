// derive.js turns the pinned @octokit packages unpacked by fetch.sh into the
// small files conformance_test.go reads (it never reads the packages):
//
//   rest.json     - one entry per OpenAPI operation named in routes.json,
//                   with the JSON schema of every response it documents
//                   (null where the response has no JSON body), and the
//                   component schemas they reference as "$defs". OpenAPI 3.0
//                   quirks are turned into plain JSON Schema (2020-12) here,
//                   so a standard validator needs no special mode:
//                     nullable: true  -> a "null" type (or anyOf [.., null])
//                     #/components/schemas/X -> #/$defs/X
//                     oneOf with a branch any object satisfies -> anyOf
//                     description, example, discriminator, x-* and other
//                       annotations dropped (they constrain nothing)
//   webhooks.json - the draft-07 definitions of the events and actions the
//                   simulator emits (EVENTS below), plus every definition
//                   they reference, unchanged apart from descriptions and
//                   nested "$schema" markers, which constrain nothing.
//   examples.json - GitHub's own example payload (the latest one) of each
//                   of those events and actions that has one.
//
// Usage: node derive.js UNPACK_DIR OUT_DIR
// The output is a pure function of the packages and routes.json: running it
// twice gives identical files.
"use strict";
const fs = require("fs");
const path = require("path");

const [unpackDir, outDir] = process.argv.slice(2);
if (!unpackDir || !outDir) {
  console.error("usage: node derive.js UNPACK_DIR OUT_DIR");
  process.exit(2);
}
const readPkg = (p) => JSON.parse(fs.readFileSync(path.join(unpackDir, p), "utf8"));
const version = (dir) => readPkg(`${dir}/package/package.json`).version;
// write prints the top two levels of a document one entry a line and every
// entry below compactly: small files whose diffs still show which schema or
// example changed.
function write(name, value) {
  const pretty = (v, depth, indent) => {
    if (depth >= 2 || v === null || typeof v !== "object") return JSON.stringify(v);
    const inner = indent + " ";
    const items = Array.isArray(v)
      ? v.map((x) => inner + pretty(x, depth + 1, inner))
      : Object.entries(v).map(([k, x]) => inner + JSON.stringify(k) + ": " + pretty(x, depth + 1, inner));
    if (items.length === 0) return Array.isArray(v) ? "[]" : "{}";
    const [open, close] = Array.isArray(v) ? ["[", "]"] : ["{", "}"];
    return open + "\n" + items.join(",\n") + "\n" + indent + close;
  };
  fs.writeFileSync(path.join(outDir, name), pretty(value, 0, "") + "\n");
}

// EVENTS are the webhook events and actions the simulator emits
// (webhooks.go, issues.go, pulls.go, git.go, seed.go).
const EVENTS = {
  installation: ["created", "deleted"],
  installation_repositories: ["added", "removed"],
  issue_comment: ["created", "deleted", "edited"],
  issues: ["closed", "edited", "labeled", "opened", "reopened", "unlabeled"],
  pull_request: ["closed", "converted_to_draft", "edited", "labeled", "opened", "ready_for_review", "reopened", "synchronize", "unlabeled"],
};

// byKey orders by code points, whatever the machine's locale.
const byKey = (key) => (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

function sortKeys(o) {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

function collectRefs(node, acc) {
  if (Array.isArray(node)) {
    node.forEach((n) => collectRefs(n, acc));
    return;
  }
  if (node === null || typeof node !== "object") return;
  for (const [k, v] of Object.entries(node)) {
    if (k === "$ref" && typeof v === "string") acc.add(v);
    else collectRefs(v, acc);
  }
}

// ---- REST ----

const api = readPkg("openapi/package/generated/api.github.com.json");
const routes = JSON.parse(fs.readFileSync(path.join(outDir, "routes.json"), "utf8"));

// ANNOTATIONS do not constrain a value; dropping them keeps rest.json small.
const ANNOTATIONS = new Set(["description", "example", "examples", "discriminator", "xml", "externalDocs", "deprecated", "readOnly", "writeOnly"]);

// convert rewrites an OpenAPI 3.0 schema object as JSON Schema 2020-12.
function convert(node) {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "nullable" || ANNOTATIONS.has(k) || k.startsWith("x-")) continue;
    if (k === "$ref") {
      if (!v.startsWith("#/components/schemas/")) throw new Error(`unexpected reference ${v}`);
      out.$ref = v.replace("#/components/schemas/", "#/$defs/");
      continue;
    }
    if (k === "properties" || k === "patternProperties") {
      // Keys here are property names, not keywords.
      out[k] = Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, convert(pv)]));
      continue;
    }
    out[k] = convert(v);
  }
  if (Array.isArray(out.oneOf) && node.oneOf.every((b) => deref(b).type === "object") && node.oneOf.some(acceptsAnyObject)) {
    // GitHub writes oneOf for "one of these shapes" even where a branch is an
    // object that requires nothing (basic-error, repository-rule-violation-
    // error, empty-object): every object matching another branch matches
    // that one too, so as JSON Schema the oneOf would reject every body
    // GitHub sends. Read as the description means it: anyOf.
    out.anyOf = out.oneOf;
    delete out.oneOf;
  }
  if (node.nullable === true) {
    if (typeof out.type === "string") {
      out.type = [out.type, "null"];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else if (out.$ref || out.allOf || out.oneOf || out.anyOf) {
      return { anyOf: [out, { type: "null" }] };
    }
    // {nullable: true} alone accepts anything already.
  }
  return out;
}

// deref follows a schema's references to components.
function deref(s) {
  while (s && s.$ref) s = api.components.schemas[s.$ref.replace("#/components/schemas/", "")];
  return s || {};
}

// acceptsAnyObject reports whether an OpenAPI schema accepts every object
// whose properties have the types it declares: an object schema with no
// required property, no closed property set and no branching of its own.
function acceptsAnyObject(s) {
  s = deref(s);
  if (s.type !== "object") return false;
  const constraining = ["required", "additionalProperties", "minProperties", "allOf", "anyOf", "oneOf", "not", "enum"];
  return constraining.every((k) => s[k] === undefined || (k === "required" && s[k].length === 0));
}

function resolveResponse(resp) {
  while (resp && resp.$ref) {
    resp = api.components.responses[resp.$ref.replace("#/components/responses/", "")];
  }
  return resp;
}

const operations = new Map();
const wanted = new Set();
for (const r of routes) {
  const [method, p] = r.openapi.split(" ");
  if (operations.has(r.openapi)) continue;
  const item = api.paths[p];
  const op = item && item[method.toLowerCase()];
  if (!op) throw new Error(`${r.openapi} (for ${r.route}) is not in the OpenAPI description`);
  const responses = {};
  for (const [status, raw] of Object.entries(op.responses)) {
    const resp = resolveResponse(raw);
    const json = resp && resp.content && resp.content["application/json"];
    if (json && json.schema) {
      collectRefs(json.schema, wanted);
      responses[status] = convert(json.schema);
    } else {
      responses[status] = null;
    }
  }
  operations.set(r.openapi, { method, path: p, operationId: op.operationId, responses });
}

const defs = {};
const queue = [...wanted];
while (queue.length) {
  const ref = queue.pop();
  const name = ref.replace("#/components/schemas/", "");
  if (defs[name]) continue;
  const s = api.components.schemas[name];
  if (!s) throw new Error(`missing component ${ref}`);
  const refs = new Set();
  collectRefs(s, refs);
  defs[name] = convert(s);
  refs.forEach((x) => queue.push(x));
}

write("rest.json", {
  $comment: `Derived by derive.js from @octokit/openapi ${version("openapi")} (generated/api.github.com.json, OpenAPI ${api.openapi}); do not edit.`,
  $schema: "https://json-schema.org/draft/2020-12/schema",
  operations: [...operations.values()].sort(byKey((o) => o.path + " " + o.method)),
  $defs: sortKeys(defs),
});

// ---- Webhooks ----

// stripAnnotations drops descriptions and the nested "$schema" markers
// (only the document's own $schema counts); neither constrains a payload.
function stripAnnotations(node) {
  if (Array.isArray(node)) return node.map(stripAnnotations);
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "description" || k === "$schema") continue;
    if (k === "properties" || k === "patternProperties" || k === "definitions") {
      out[k] = Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, stripAnnotations(pv)]));
      continue;
    }
    out[k] = stripAnnotations(v);
  }
  return out;
}

const wh = readPkg("webhooks-schemas/package/schema.json");
const whDefs = {};
const whQueue = [];
for (const [event, actions] of Object.entries(EVENTS)) {
  for (const a of actions) whQueue.push(`#/definitions/${event}$${a}`);
}
while (whQueue.length) {
  const ref = whQueue.pop();
  const name = ref.replace("#/definitions/", "");
  if (whDefs[name]) continue;
  const s = wh.definitions[name];
  if (!s) throw new Error(`missing webhook definition ${ref}`);
  const refs = new Set();
  collectRefs(s, refs);
  whDefs[name] = stripAnnotations(s);
  refs.forEach((x) => whQueue.push(x));
}
write("webhooks.json", {
  $schema: wh.$schema,
  $comment: `Derived by derive.js from @octokit/webhooks-schemas ${version("webhooks-schemas")}; do not edit.`,
  events: EVENTS,
  definitions: sortKeys(whDefs),
});

// ---- Webhook examples ----

const ex = readPkg("webhooks-examples/package/api.github.com/index.json");
// The package lists the examples of an event oldest first, and the oldest
// ones of some events predate fields GitHub now sends and the schema
// requires (issues.edited lacks issue.reactions, for one): keep the last.
const latest = new Map();
for (const e of ex) {
  const actions = EVENTS[e.name];
  if (!actions) continue;
  for (const payload of e.examples) {
    if (actions.includes(payload.action)) latest.set(`${e.name}.${payload.action}`, { event: e.name, action: payload.action, payload });
  }
}
const examples = [...latest.values()];
examples.sort(byKey((e) => `${e.event}.${e.action}`));
write("examples.json", {
  $comment: `Derived by derive.js from @octokit/webhooks-examples ${version("webhooks-examples")}; do not edit.`,
  examples,
});
