/**
 * Test files (`*.test.yaml` / `*.test.yml` in a workspace folder, docs/language.md
 * "Test files"): named cases with given customers, events and prior messages, a
 * window, and the decision lines expected. This module reads and checks them
 * against a workspace — every mistake is a PB6xx (or shape PB00x) diagnostic at
 * file:line:col — and hands the cases over as plain data; running them is the
 * CLI's (`playbook test`), through the engine `simulate` uses.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { isMap, isScalar, type Node, type YAMLMap } from "yaml";
import type { Span, Type, Workspace } from "./ast.ts";
import type { Diagnostic } from "./diagnostics.ts";
import { didYouMean } from "./fuzzy.ts";
import { parseDateMs, parseDateTimeMs } from "./literals.ts";
import { asList, asMap, asText, checkKeys, entries, YamlFile } from "./yaml-source.ts";
import { armsOf } from "./variants.ts";

/** A test file's name: `*.test.yaml` or `*.test.yml`. The workspace loader skips these. */
export const TEST_FILE = /\.test\.ya?ml$/i;

/** The statuses a decision line can have (engine/decision.ts; language/ sits below engine/). */
const STATUSES = ["send", "ghost", "capped", "deferred", "suppressed", "no_channel", "missing_field", "expired", "exited", "blocked"];

/** The keys an expectation may match on: the decision line's fields (customer is `customer_id`). */
export const EXPECT_FIELDS = ["customer", "rule", "step", "status", "channel", "template", "topic", "send_at", "reason", "variant", "arm"] as const;
export type ExpectField = (typeof EXPECT_FIELDS)[number];

/** One expected (or forbidden) line: the fields given, as the log writes them. */
export interface Pattern {
  fields: Partial<Record<ExpectField, string | number | null>>;
  span: Span;
}

export interface GivenEvent { customer: string; event: string; ts: number; props: Record<string, unknown> }
export interface GivenMessage { customer: string; rule: string; step: number; channel: string; topic: string; ts: number }

/** One case, ready to run. */
export interface TestCase {
  name: string;
  file: string;
  span: Span;
  customers: Map<string, Record<string, unknown>>;
  events: GivenEvent[];
  messages: GivenMessage[];
  from: number;
  to: number;
  /** `at:` given (run's window, a day back) rather than `from`/`to`. */
  at: boolean;
  /** Absent: no exhaustive check of the log. */
  expect: Pattern[] | null;
  /**
   * Where `expect:` stands, for `--update`: the offset just past its colon, the end of its
   * value (trailing blanks excluded) and the key's column (0-based).
   */
  expectAt: { colonEnd: number; valueEnd: number; indent: number; below: boolean } | null;
  expectNone: Pattern[];
  segments: { customer: string; segment: string; member: boolean; span: Span }[];
}

/** A test file read and checked. */
export interface TestFile {
  path: string;
  text: string;
  cases: TestCase[];
}

const DAY = 86_400_000;

/** The test files below `dir` (recursively, sorted; dot-folders and node_modules skipped), as absolute paths. */
export async function collectTestFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const items = await readdir(d, { withFileTypes: true });
    for (const it of items.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (it.name.startsWith(".") || it.name === "node_modules") continue;
      const p = join(d, it.name);
      if (it.isDirectory()) await walk(p);
      else if (it.isFile() && TEST_FILE.test(it.name)) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

/** Reads and checks every test file of a workspace folder; paths shown as `shownAs` + the file inside. */
export async function loadTestFiles(dir: string, ws: Workspace, shownAs: string): Promise<{ files: TestFile[]; diagnostics: Diagnostic[] }> {
  const files: TestFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const p of await collectTestFiles(dir)) {
    const text = await readFile(p, "utf8");
    const shown = join(shownAs, relative(dir, p)).split(sep).join("/");
    const r = readTestFile(shown, text, ws);
    files.push(r.file);
    diagnostics.push(...r.diagnostics);
  }
  return { files, diagnostics };
}

/** Reads one test file against a checked workspace. */
export function readTestFile(path: string, text: string, ws: Workspace): { file: TestFile; diagnostics: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  const f = new YamlFile(path, text, diags);
  const file: TestFile = { path, text, cases: [] };
  const root = f.doc?.contents as Node | null | undefined;
  if (!f.doc || !root || !isMap(root)) {
    if (f.doc && root) f.error("PB003", "bad-shape", "a test file must be a map with `cases:`", f.spanOf(root));
    return { file, diagnostics: diags };
  }
  const top = entries(f, root);
  checkKeys(f, top, ["defaults", "cases"], "a test file");
  let defaults: Record<string, unknown> = {};
  const d = top.find((e) => e.key === "defaults");
  if (d) {
    const m = asMap(f, d.value, "defaults", f.spanOf(d.keyNode));
    if (m) {
      const es = entries(f, m);
      checkKeys(f, es, ["customer"], "a test file's defaults");
      const c = es.find((e) => e.key === "customer");
      const cm = c ? asMap(f, c.value, "defaults.customer", f.spanOf(c.keyNode)) : null;
      if (cm) defaults = attributes(f, cm, ws);
    }
  }
  const cs = top.find((e) => e.key === "cases");
  if (!cs) {
    f.error("PB003", "bad-shape", "a test file needs `cases:`, a map of case names to cases", f.span(0, 1));
    return { file, diagnostics: diags };
  }
  const cm = asMap(f, cs.value, "cases", f.spanOf(cs.keyNode));
  for (const e of cm ? entries(f, cm) : []) {
    const m = asMap(f, e.value, `case "${e.key}"`, f.spanOf(e.keyNode));
    if (!m) continue;
    const c = readCase(f, e.key, f.spanOf(e.keyNode), m, ws, defaults);
    if (c) file.cases.push(c);
  }
  return { file, diagnostics: diags };
}

const CASE_KEYS = ["given", "at", "from", "to", "expect", "expect_none", "segments"];

function readCase(f: YamlFile, name: string, span: Span, m: YAMLMap, ws: Workspace, defaults: Record<string, unknown>): TestCase | null {
  const before = f.diags.length;
  const es = entries(f, m);
  checkKeys(f, es, CASE_KEYS, `case "${name}"`);
  const get = (k: string) => es.find((e) => e.key === k);
  const c: TestCase = { name, file: f.path, span, customers: new Map(), events: [], messages: [], from: 0, to: 0, at: false, expect: null, expectAt: null, expectNone: [], segments: [] };
  // given
  const g = get("given");
  const gm = g ? asMap(f, g.value, "given", f.spanOf(g.keyNode)) : null;
  if (!g) f.error("PB003", "bad-shape", `case "${name}" needs \`given:\` (customers, events, messages)`, span);
  const ges = gm ? entries(f, gm) : [];
  checkKeys(f, ges, ["customers", "events", "messages"], "given");
  const gc = ges.find((e) => e.key === "customers");
  const custMap = gc ? asMap(f, gc.value, "given.customers", f.spanOf(gc.keyNode)) : null;
  for (const ce of custMap ? entries(f, custMap) : []) {
    const am = ce.value && isScalar(ce.value) && ce.value.value === null ? null : asMap(f, ce.value, `customer "${ce.key}"`, f.spanOf(ce.keyNode));
    const attrs = { ...defaults, ...(am ? attributes(f, am, ws) : {}) };
    for (const [n, def] of ws.schema.customer) {
      if (n in attrs || def.type.nullable) continue;
      if (def.type.base === "bool") attrs[n] = false;
      else f.error("PB610", "test-missing-attribute", `customer "${ce.key}" has no ${n} (${def.type.base}, not nullable)`, f.spanOf(ce.keyNode), "set it on the customer or in defaults.customer");
    }
    c.customers.set(ce.key, attrs);
  }
  if (gm && !custMap) f.error("PB003", "bad-shape", "given needs `customers:`, a map of customer ids to attributes", f.spanOf(g!.keyNode));
  const who = (node: Node | null, at: Span, what: string): string | null => {
    if (node) {
      const id = asText(f, node, "customer", at);
      if (id === null) return null;
      if (!c.customers.has(id)) {
        const s = didYouMean(id, [...c.customers.keys()]);
        f.error("PB605", "test-unknown-customer", `${what} names customer "${id}", which the case does not give`, f.spanOf(node), s ? `did you mean "${s}"?` : undefined);
        return null;
      }
      return id;
    }
    if (c.customers.size === 1) return [...c.customers.keys()][0]!;
    if (c.customers.size > 1) f.error("PB605", "test-unknown-customer", `${what} needs \`customer:\`: the case gives ${c.customers.size} customers`, at);
    return null;
  };
  const ge = ges.find((e) => e.key === "events");
  for (const item of ge ? asList(f, ge.value, "given.events", f.spanOf(ge.keyNode)) ?? [] : []) {
    const im = asMap(f, item, "an event", f.spanOf(item));
    if (!im) continue;
    const ies = entries(f, im);
    const ev = ies.find((x) => x.key === "event");
    const name = ev ? asText(f, ev.value, "event", f.spanOf(ev.keyNode)) : null;
    if (!ev) f.error("PB003", "bad-shape", "an event needs `event:`", f.spanOf(item));
    const def = name !== null ? ws.schema.events.get(name) : undefined;
    if (name !== null && !def) {
      const s = didYouMean(name, [...ws.schema.events.keys()]);
      f.error("PB606", "test-unknown-event", `no event "${name}" in schema.events`, f.spanOf(ev!.value), s ? `did you mean "${s}"?` : undefined);
    }
    const cust = who(ies.find((x) => x.key === "customer")?.value ?? null, f.spanOf(item), "an event");
    const ts = time(f, ies.find((x) => x.key === "ts"), "an event's ts", f.spanOf(item));
    const props: Record<string, unknown> = {};
    for (const p of ies) {
      if (p.key === "event" || p.key === "customer" || p.key === "ts") continue;
      const pd = def?.props.get(p.key);
      if (def && !pd) {
        const s = didYouMean(p.key, [...def.props.keys()]);
        f.error("PB606", "test-unknown-event", `event "${name}" has no prop "${p.key}"`, f.spanOf(p.keyNode), s ? `did you mean "${s}"?` : undefined);
        continue;
      }
      props[p.key] = pd ? value(f, p.value, pd.type, `prop ${p.key}`) : null;
    }
    if (cust !== null && ts !== null && def) c.events.push({ customer: cust, event: name!, ts, props });
  }
  const gmsg = ges.find((e) => e.key === "messages");
  for (const item of gmsg ? asList(f, gmsg.value, "given.messages", f.spanOf(gmsg.keyNode)) ?? [] : []) {
    const im = asMap(f, item, "a message", f.spanOf(item));
    if (!im) continue;
    const ies = entries(f, im);
    checkKeys(f, ies, ["customer", "rule", "step", "channel", "topic", "ts"], "a given message");
    const cust = who(ies.find((x) => x.key === "customer")?.value ?? null, f.spanOf(item), "a message");
    const rule = ruleName(f, ies.find((x) => x.key === "rule"), ws, f.spanOf(item), true);
    const step = stepNumber(f, ies.find((x) => x.key === "step")) ?? 1;
    const che = ies.find((x) => x.key === "channel");
    const channel = che ? asText(f, che.value, "channel", f.spanOf(che.keyNode)) : null;
    if (!che) f.error("PB003", "bad-shape", "a given message needs `channel:`", f.spanOf(item));
    if (channel !== null && !ws.channels.has(channel)) unknownName(f, "channel", channel, [...ws.channels.keys()], che!.value);
    const te = ies.find((x) => x.key === "topic");
    const r = rule ? ws.rules.get(rule) : undefined;
    const topic = te ? asText(f, te.value, "topic", f.spanOf(te.keyNode)) : (r?.steps[step - 1]?.topic ?? rule ?? "");
    const ts = time(f, ies.find((x) => x.key === "ts"), "a message's ts", f.spanOf(item));
    if (cust !== null && rule !== null && channel !== null && ts !== null && topic !== null) c.messages.push({ customer: cust, rule, step, channel, topic, ts });
  }
  // window
  const at = get("at"), from = get("from"), to = get("to");
  if (at && (from || to)) f.error("PB604", "test-bad-time", "give `at:` or `from:`/`to:`, not both", f.spanOf(at.keyNode));
  else if (at) {
    const t = time(f, at, "at", span);
    if (t !== null) [c.from, c.to, c.at] = [t - DAY, t, true];
  } else if (from || to) {
    const a = time(f, from, "from", span), b = time(f, to, "to", span);
    if (a !== null && b !== null) {
      if (b <= a) f.error("PB604", "test-bad-time", "`to` must be later than `from`", f.spanOf(to!.value));
      [c.from, c.to] = [a, b];
    }
  } else f.error("PB604", "test-bad-time", `case "${name}" needs a window: \`at:\` or \`from:\` and \`to:\``, span);
  // expectations
  const ex = get("expect");
  if (ex) {
    const keyEnd = ex.keyNode.range?.[1] ?? 0;
    const colonEnd = f.text.indexOf(":", keyEnd) + 1;
    let valueEnd = Math.max(colonEnd, ex.value?.range?.[1] ?? colonEnd);
    while (valueEnd > colonEnd && /\s/.test(f.text[valueEnd - 1]!)) valueEnd--;
    // A block list on the lines below: the text from its first item's line is replaced, so a
    // comment after `expect:` or above the first item stays.
    const vs = ex.value?.range?.[0] ?? colonEnd;
    const nl = f.text.lastIndexOf("\n", vs - 1);
    const below = nl >= colonEnd;
    c.expectAt = { colonEnd: below ? nl + 1 : colonEnd, valueEnd, indent: f.spanOf(ex.keyNode).col - 1, below };
    c.expect = ex.value && isScalar(ex.value) && ex.value.value === null ? [] : patterns(f, ex.value, "expect", f.spanOf(ex.keyNode), ws, who);
  }
  const en = get("expect_none");
  if (en) c.expectNone = patterns(f, en.value, "expect_none", f.spanOf(en.keyNode), ws, who, true);
  const sg = get("segments");
  const sm = sg ? asMap(f, sg.value, "segments", f.spanOf(sg.keyNode)) : null;
  for (const se of sm ? entries(f, sm) : []) {
    const cust = who(se.keyNode, f.spanOf(se.keyNode), "a segment assertion");
    const mm = asMap(f, se.value, `segments of "${se.key}"`, f.spanOf(se.keyNode));
    for (const x of mm ? entries(f, mm) : []) {
      if (!ws.segments.has(x.key)) {
        unknownName(f, "segment", x.key, [...ws.segments.keys()], x.keyNode);
        continue;
      }
      const v = x.value && isScalar(x.value) ? x.value.value : undefined;
      if (typeof v !== "boolean") {
        f.error("PB609", "test-bad-value", "a segment assertion must be true (a member) or false", f.spanOf(x.value ?? x.keyNode));
        continue;
      }
      if (cust !== null) c.segments.push({ customer: cust, segment: x.key, member: v, span: f.spanOf(x.keyNode) });
    }
  }
  return f.diags.slice(before).some((x) => x.severity === "error") ? null : c;
}

function unknownName(f: YamlFile, what: string, name: string, known: string[], node: Node | null): void {
  const s = didYouMean(name, known);
  f.error("PB608", "test-unknown-name", `no ${what} "${name}" in the workspace`, f.spanOf(node), s ? `did you mean "${s}"?` : undefined);
}

function ruleName(f: YamlFile, e: { keyNode: Node; value: Node | null } | undefined, ws: Workspace, at: Span, required: boolean): string | null {
  if (!e) {
    if (required) f.error("PB003", "bad-shape", "needs `rule:`", at);
    return null;
  }
  const r = asText(f, e.value, "rule", f.spanOf(e.keyNode));
  if (r !== null && !ws.rules.has(r)) {
    const s = didYouMean(r, [...ws.rules.keys()]);
    f.error("PB601", "test-unknown-rule", `no rule "${r}" in the workspace`, f.spanOf(e.value), s ? `did you mean "${s}"?` : undefined);
    return null;
  }
  return r;
}

function stepNumber(f: YamlFile, e: { keyNode: Node; value: Node | null } | undefined): number | null {
  if (!e) return null;
  const v = e.value && isScalar(e.value) ? e.value.value : undefined;
  if (typeof v === "number" && Number.isInteger(v) && v >= 1) return v;
  f.error("PB609", "test-bad-value", "step must be a whole number from 1", f.spanOf(e.value ?? e.keyNode));
  return null;
}

/** An ISO 8601 instant (no offset means UTC) or a PB604; null when absent or bad. */
function time(f: YamlFile, e: { keyNode: Node; value: Node | null } | undefined, what: string, at: Span): number | null {
  if (!e) {
    f.error("PB604", "test-bad-time", `needs \`${what.replace(/^.*'s /, "")}:\``, at);
    return null;
  }
  const v = e.value && isScalar(e.value) ? e.value.value : undefined;
  const t = typeof v === "string" ? parseDateTimeMs(v) : null;
  if (t === null) f.error("PB604", "test-bad-time", `${what} must be an ISO 8601 time like 2026-03-02T20:00:00Z`, f.spanOf(e.value ?? e.keyNode));
  return t;
}

/** A customer's attributes, each checked against schema.customer. */
function attributes(f: YamlFile, m: YAMLMap, ws: Workspace): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of entries(f, m)) {
    const def = ws.schema.customer.get(e.key);
    if (!def) {
      const s = didYouMean(e.key, [...ws.schema.customer.keys()]);
      f.error("PB602", "test-unknown-attribute", `no customer attribute "${e.key}" in schema.customer`, f.spanOf(e.keyNode), s ? `did you mean "${s}"?` : undefined);
      continue;
    }
    out[e.key] = value(f, e.value, def.type, e.key);
  }
  return out;
}

/** A YAML value checked against a schema type; the value as the data file would hold it. */
function value(f: YamlFile, node: Node | null, t: Type, what: string): unknown {
  const v = node && isScalar(node) ? node.value : node ? undefined : null;
  if (v === null) {
    if (!t.nullable) f.error("PB609", "test-bad-value", `${what} is not nullable`, f.spanOf(node));
    return null;
  }
  const ok =
    t.base === "string" ? typeof v === "string" :
    t.base === "number" ? typeof v === "number" :
    t.base === "bool" ? typeof v === "boolean" :
    t.base === "date" ? typeof v === "string" && parseDateMs(v) !== null :
    t.base === "datetime" ? typeof v === "string" && parseDateTimeMs(v) !== null :
    v !== undefined;
  if (!ok) f.error("PB609", "test-bad-value", `${what} must be a ${t.base}${t.base === "datetime" ? " (ISO 8601)" : t.base === "date" ? " (YYYY-MM-DD)" : ""}`, f.spanOf(node));
  return v;
}

function patterns(
  f: YamlFile, node: Node | null, what: string, at: Span, ws: Workspace,
  who: (n: Node | null, at: Span, what: string) => string | null, partial = false,
): Pattern[] {
  const out: Pattern[] = [];
  for (const item of asList(f, node, what, at) ?? []) {
    const m = asMap(f, item, `an ${what} line`, f.spanOf(item));
    if (!m) continue;
    const before = f.diags.length;
    const es = entries(f, m);
    const p: Pattern = { fields: {}, span: f.spanOf(item) };
    for (const e of es) {
      if (!(EXPECT_FIELDS as readonly string[]).includes(e.key)) {
        const hint = (() => { const s = didYouMean(e.key, EXPECT_FIELDS); return s ? `did you mean "${s}"?` : `decision lines have: ${EXPECT_FIELDS.join(", ")}`; })();
        f.error("PB607", "test-unknown-field", `decision lines have no field "${e.key}"`, f.spanOf(e.keyNode), hint);
        continue;
      }
      const k = e.key as ExpectField;
      const v = e.value && isScalar(e.value) ? e.value.value : undefined;
      if (k === "customer") continue;
      if (k === "rule") p.fields.rule = ruleName(f, e, ws, at, true);
      else if (k === "step") p.fields.step = stepNumber(f, e);
      else if (v === null && (k === "channel" || k === "template" || k === "topic" || k === "send_at" || k === "reason" || k === "arm")) p.fields[k] = null;
      else if (k === "arm") {
        // Pins the arm (issue 18): a name of the rule's arms (rule-level or one step's content variants).
        const s = asText(f, e.value, "arm", f.spanOf(e.keyNode));
        const rn = es.find((x) => x.key === "rule");
        const r = rn && isScalar(rn.value) ? ws.rules.get(String(rn.value.value)) : undefined;
        const names = r ? (armsOf(r) ?? []).map((a) => a.name) : null;
        if (s !== null && names !== null && !names.includes(s)) {
          if (names.length === 0) f.error("PB609", "test-bad-value", `rule "${r!.id}" has no variants: its lines have arm null`, f.spanOf(e.value ?? e.keyNode));
          else unknownName(f, `arm of rule "${r!.id}"`, s, names, e.value);
        } else if (s !== null) p.fields.arm = s;
      }
      else if (k === "status") {
        const s = asText(f, e.value, "status", f.spanOf(e.keyNode));
        if (s !== null && !STATUSES.includes(s)) {
          const near = didYouMean(s, STATUSES);
          f.error("PB603", "test-bad-status", `no decision has status "${s}"`, f.spanOf(e.value), near ? `did you mean "${near}"?` : `statuses: ${STATUSES.join(", ")}`);
        } else p.fields.status = s;
      } else if (k === "variant") {
        if (v !== "treatment" && v !== "holdout") f.error("PB609", "test-bad-value", "variant is treatment or holdout", f.spanOf(e.value ?? e.keyNode));
        else p.fields.variant = v;
      } else if (k === "send_at") {
        const t = typeof v === "string" ? parseDateTimeMs(v) : null;
        if (t === null) f.error("PB604", "test-bad-time", "send_at must be an ISO 8601 time like 2026-03-02T09:00:00Z (or null)", f.spanOf(e.value ?? e.keyNode));
        else p.fields.send_at = new Date(t).toISOString().replace(".000Z", "Z");
      } else {
        const s = asText(f, e.value, k, f.spanOf(e.keyNode));
        if (s !== null && k === "channel" && !ws.channels.has(s)) unknownName(f, "channel", s, [...ws.channels.keys()], e.value);
        else if (s !== null && k === "template" && !ws.templates.has(s)) unknownName(f, "template", s, [...ws.templates.keys()], e.value);
        else if (s !== null) p.fields[k] = s;
      }
    }
    const ce = es.find((e) => e.key === "customer");
    const cust = who(ce?.value ?? null, p.span, `an ${what} line`);
    if (cust !== null) p.fields.customer = cust;
    if (!partial && !es.some((e) => e.key === "rule")) f.error("PB003", "bad-shape", "an expect line needs `rule:`", p.span);
    if (f.diags.length === before) out.push(p);
  }
  return out;
}
