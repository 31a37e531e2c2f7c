/**
 * The top-level sections other than `rules` (language.md "Top-level
 * sections"): each reader takes the section's YAML node and fills its part of
 * the workspace, reporting shapes and values it cannot use.
 */
import { isMap, isScalar, type Node } from "yaml";
import { SOURCE_DEFAULTS } from "./ast.ts";
import type { AttributeDef, BaseType, Cap, ExitEvent, Expr, Span, Type, Workspace } from "./ast.ts";
import { importJsonLogic } from "./jsonlogic-import.ts";
import { asList, asMap, asNumber, asText, checkKeys, entries, lineCol, type YamlFile } from "./yaml-source.ts";
import { parseCap, parseExpr, parseTrigger } from "./parse.ts";
import { parseClock, parseDurationText, parsePercentText } from "./literals.ts";
import { charHint, describeChar, firstNonAscii } from "./unicode.ts";
import { suggestTimeZone, validTimeZone } from "./timezones.ts";

/** The keys each section's map (or each entry's map) may hold: the readers check them, completion and the JSON Schema list them. */
export const SCHEMA_KEYS = ["customer", "events"] as const;
export const DEFAULTS_KEYS = ["timezone", "send_hours", "holdout", "global_holdout", "attribution", "goal", "exit", "expires"] as const;
export const CHANNEL_KEYS = ["requires", "cost"] as const;
export const RFM_KEYS = ["event", "value", "window", "scores", "recency", "frequency", "monetary"] as const;
export const TEMPLATE_KEYS = ["fields"] as const;
export const JSONLOGIC_KEYS = ["jsonlogic"] as const;
/** The keys of `source:` (each a table or column name; defaults in `SOURCE_DEFAULTS`). */
export const SOURCE_KEYS = Object.keys(SOURCE_DEFAULTS) as (keyof typeof SOURCE_DEFAULTS)[];
export const ALERT_KEYS = { open_rate_below: "openRateBelow", ctr_below: "ctrBelow", unsubscribe_above: "unsubscribeAbove", complaint_above: "complaintAbove" } as const;

/** Definitions seen so far across files, to report duplicates citing both places. */
export type Seen = Map<string, Span>;

/** Reports a duplicate definition (PB006) when `key` was seen; records it otherwise. */
export function firstDefinition(f: YamlFile, seen: Seen, key: string, label: string, span: Span): boolean {
  const prev = seen.get(key);
  if (prev) {
    f.diags.push({
      code: "PB006", name: "duplicate-definition", severity: "error",
      message: `${label} is defined twice${prev.file === span.file ? ` (first at ${lineCol(prev)})` : ""}`, span,
      related: [{ message: "first defined here", span: prev }],
    });
    return false;
  }
  seen.set(key, span);
  return true;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * PB016 unless `name` is a name the expression grammar can spell: ASCII
 * letters, digits and `_`, not starting with a digit. One rule for every
 * defined name (also templates and rule ids, which no expression uses), so a
 * name accepted where it is defined can always be written where it is used.
 */
export function checkName(f: YamlFile, name: string, kind: string, span: Span): void {
  if (NAME_RE.test(name)) return;
  const bad = firstNonAscii(name);
  if (bad) {
    f.error("PB016", "bad-name", `${kind} name "${name}" has ${describeChar(bad.ch)}; names are written with ASCII letters, digits and _`, span, charHint(bad.ch));
    return;
  }
  const fixed = name.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^(\d)/, "_$1");
  f.error("PB016", "bad-name", `${kind} name "${name}" can only have ASCII letters, digits and _, and cannot start with a digit`, span, `e.g. "${fixed}"`);
}

/** Parses an expression held by a YAML node. */
export function exprAt(f: YamlFile, node: Node | null, what: string, at: Span): Expr | undefined {
  if (!node || (isScalar(node) && node.value === null)) {
    f.error("PB003", "bad-shape", `${what} needs an expression`, node ? f.spanOf(node) : at);
    return undefined;
  }
  if (!isScalar(node)) {
    f.error("PB003", "bad-shape", `${what} must be an expression, not a ${isMap(node) ? "map" : "list"}`, f.spanOf(node), "quote it if it contains ': ' or starts with '[' or '{'");
    return undefined;
  }
  const src = f.exprSource(node);
  const r = f.parsed("expr", src.base, src.text, () => parseExpr(src.text, src.spanOf));
  f.diags.push(...r.diagnostics);
  return r.expr;
}

const TYPE_RE = /^(\[)?\s*(string|number|bool|date|datetime|duration)\s*(\])?\s*(\?)?$/;

/** `string?`, `[string]`, `date` → Type. */
export function parseTypeText(text: string): Type | null {
  const m = TYPE_RE.exec(text.trim());
  if (!m || Boolean(m[1]) !== Boolean(m[3])) return null;
  const base = m[2] as BaseType;
  const nullable = Boolean(m[4]);
  return m[1] ? { base: "list", nullable, elem: { base, nullable: false } } : { base, nullable };
}

function typeAt(f: YamlFile, node: Node | null, what: string, at: Span): Type | null {
  const text = asText(f, node, what, at);
  if (text === null) return null;
  const t = parseTypeText(text);
  if (!t) f.error("PB004", "bad-value", `unknown type "${text}" for ${what}`, f.spanOf(node), "types: string, number, bool, date, datetime, duration, [T] for lists, T? for nullable");
  return t;
}

/** `schema:` → customer attributes and events. */
export function readSchema(f: YamlFile, node: Node | null, ws: Workspace, seen: Seen, at: Span): void {
  const map = asMap(f, node, "schema", at);
  if (!map) return;
  const es = entries(f, map);
  checkKeys(f, es, SCHEMA_KEYS, "schema");
  for (const e of es) {
    const sec = asMap(f, e.value, `schema.${e.key}`, f.spanOf(e.keyNode));
    if (!sec) continue;
    for (const a of entries(f, sec, true)) {
      const span = f.spanOf(a.keyNode);
      if (e.key === "customer" || e.key === "events") checkName(f, a.key, e.key === "customer" ? "attribute" : "event", span);
      if (e.key === "customer") {
        const t = typeAt(f, a.value, `attribute "${a.key}"`, span);
        if (t && firstDefinition(f, seen, `name:${a.key}`, `"${a.key}"`, span)) ws.schema.customer.set(a.key, { name: a.key, type: t, span });
      } else if (e.key === "events") {
        const props = new Map<string, AttributeDef>();
        const pm = a.value && isScalar(a.value) && a.value.value === null ? null : asMap(f, a.value, `event "${a.key}"`, span);
        if (pm)
          for (const p of entries(f, pm)) {
            checkName(f, p.key, "prop", f.spanOf(p.keyNode));
            const t = typeAt(f, p.value, `prop "${a.key}.${p.key}"`, f.spanOf(p.keyNode));
            if (t) props.set(p.key, { name: p.key, type: t, span: f.spanOf(p.keyNode) });
          }
        if (firstDefinition(f, seen, `name:${a.key}`, `"${a.key}"`, span)) ws.schema.events.set(a.key, { name: a.key, props, span, builtin: false });
      }
    }
  }
}

/** `exit:` value: an event set, a list of them, or `none`. */
export function readExit(f: YamlFile, node: Node | null, at: Span): ExitEvent[] | null {
  if (node && isScalar(node) && node.value === "none") return [];
  const items = asList(f, node, "exit", at, true);
  if (!items) return null;
  const out: ExitEvent[] = [];
  for (const it of items) {
    const e = exprAt(f, it, "exit", f.spanOf(it));
    if (!e) continue;
    if (e.kind === "name") out.push({ event: e.name, eventSpan: e.span, span: e.span });
    else if (e.kind === "exists" && !e.within) out.push({ event: e.event, eventSpan: e.eventSpan, span: e.span, ...(e.where ? { where: e.where } : {}) });
    else f.error("PB004", "bad-value", "exit takes event names, optionally with `where`", e.span);
  }
  return out;
}

const UNIT_WORDS: Record<string, string> = { s: "s", sec: "s", second: "s", m: "m", min: "m", minute: "m", h: "h", hr: "h", hour: "h", d: "d", day: "d", w: "w", week: "w" };

/** `2 days`, `3 d`, `1hour` → `2d`, `3d`, `1h`: the spelling a duration takes, or undefined. */
export function durationFix(text: string): string | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+?)s?$/i.exec(text.trim());
  const unit = m ? UNIT_WORDS[m[2]!.toLowerCase()] : undefined;
  return unit ? `${m![1]}${unit}` : undefined;
}

/** A duration like `3d`; a number with a unit spelt out gets the short form as its hint. */
export function durationAt(f: YamlFile, node: Node | null, what: string, at: Span): number | null {
  const text = node && isScalar(node) ? String(node.value) : null;
  const ms = text === null ? null : parseDurationText(text);
  if (ms === null) {
    const fix = text === null ? undefined : durationFix(text);
    f.error("PB004", "bad-value", `${what} must be a duration like 15m, 12h, 3d or 2w`, node ? f.spanOf(node) : at, fix && fix !== text ? `write ${fix}` : undefined);
  }
  return ms;
}

/**
 * A percentage like `10%`. A bare number is the usual slip (`0.1` meaning
 * 10%, or `10` forgetting the sign): the hint says which percentage it would be.
 */
export function percentAt(f: YamlFile, node: Node | null, what: string, at: Span): number | null {
  const text = node && isScalar(node) ? String(node.value) : null;
  const p = text === null ? null : parsePercentText(text);
  if (p === null) {
    const v = node && isScalar(node) ? node.value : undefined;
    const spaced = typeof v === "string" && /^\d+(?:\.\d+)?\s+%$/.test(v.trim()) ? `write ${v.replace(/\s+/g, "")}` : undefined;
    const hint = typeof v === "number" && v >= 0 && v <= 100 ? `did you mean ${+(v < 1 ? v * 100 : v).toPrecision(12)}%?` : spaced;
    f.error("PB004", "bad-value", `${what} must be a percentage like 10%`, node ? f.spanOf(node) : at, hint);
  }
  return p;
}

/** `defaults:` */
export function readDefaults(f: YamlFile, node: Node | null, ws: Workspace, at: Span): void {
  const map = asMap(f, node, "defaults", at);
  if (!map) return;
  const es = entries(f, map);
  checkKeys(f, es, DEFAULTS_KEYS, "defaults");
  const d = ws.defaults;
  for (const e of es) {
    const ks = f.spanOf(e.keyNode);
    d.spans[e.key] = e.value ? f.spanOf(e.value) : ks;
    switch (e.key) {
      case "timezone": {
        const tz = asText(f, e.value, "timezone", ks);
        if (tz === null) break;
        if (!validTimeZone(tz)) {
          const s = suggestTimeZone(tz);
          f.error("PB004", "bad-value", `unknown time zone "${tz}"`, f.spanOf(e.value), s ? `did you mean "${s}"?` : "use an IANA name like Europe/Moscow or UTC");
        }
        else d.timezone = tz;
        break;
      }
      case "send_hours": {
        const t = asText(f, e.value, "send_hours", ks);
        if (t === null) break;
        const m = /^(\d{1,2}:\d{2})\s*(-|\u2013|\u2014|\u2212)\s*(\d{1,2}:\d{2})$/.exec(t);
        const from = m ? parseClock(m[1]!) : null;
        const to = m ? parseClock(m[3]!) : null;
        if (m && m[2] !== "-" && from !== null && to !== null) {
          const dash = m[2]!;
          f.error("PB004", "bad-value", `send_hours uses ${describeChar(dash)} between the times; use a hyphen`, f.spanOf(e.value), `write ${t.replace(dash, "-").replace(/\s+/g, "")}`);
        } else if (from === null || to === null || from === to) {
          // `9-21`, `9:00-21:00`: hours without minutes or a leading zero.
          const hm = /^(\d{1,2})(?::(\d{2}))?\s*-\s*(\d{1,2})(?::(\d{2}))?$/.exec(t);
          const pad = (h: string, mi?: string) => `${h.padStart(2, "0")}:${mi ?? "00"}`;
          const fix = hm && Number(hm[1]) <= 24 && Number(hm[3]) <= 24 ? `${pad(hm[1]!, hm[2])}-${pad(hm[3]!, hm[4])}` : undefined;
          f.error("PB004", "bad-value", "send_hours must look like 09:00-21:00", f.spanOf(e.value), fix && fix !== t && hm![1] !== hm![3] ? `write ${fix}` : undefined);
        }
        else d.sendHours = { from, to };
        break;
      }
      case "holdout":
      case "global_holdout": {
        const p = percentAt(f, e.value, e.key, ks);
        if (p !== null) e.key === "holdout" ? (d.holdout = p) : (d.globalHoldout = p);
        break;
      }
      case "attribution":
      case "expires": {
        const ms = durationAt(f, e.value, e.key, ks);
        if (ms !== null) e.key === "attribution" ? (d.attribution = ms) : (d.expires = ms);
        break;
      }
      case "goal":
        d.goal = asText(f, e.value, "goal", ks);
        break;
      case "exit": {
        const x = readExit(f, e.value, ks);
        if (x) d.exit = x;
        break;
      }
    }
  }
}

/** `channels:` */
export function readChannels(f: YamlFile, node: Node | null, ws: Workspace, seen: Seen, at: Span): void {
  const map = asMap(f, node, "channels", at);
  if (!map) return;
  for (const e of entries(f, map, true)) {
    const span = f.spanOf(e.keyNode);
    checkName(f, e.key, "channel", span);
    const cm = asMap(f, e.value, `channel "${e.key}"`, span);
    const ch = { name: e.key, span, cost: 0 } as Workspace["channels"] extends Map<string, infer C> ? C : never;
    if (cm) {
      const ces = entries(f, cm);
      checkKeys(f, ces, CHANNEL_KEYS, `channel "${e.key}"`);
      for (const c of ces) {
        if (c.key === "requires") ch.requires = exprAt(f, c.value, "requires", f.spanOf(c.keyNode));
        if (c.key === "cost") ch.cost = asNumber(f, c.value, "cost", f.spanOf(c.keyNode)) ?? 0;
      }
    }
    if (firstDefinition(f, seen, `channel:${e.key}`, `channel "${e.key}"`, span)) ws.channels.set(e.key, ch);
  }
}

/** `caps:` — strings, or one-key maps `- email: max 3 per 7d`. */
export function readCaps(f: YamlFile, node: Node | null, ws: Workspace, at: Span): void {
  const items = asList(f, node, "caps", at);
  if (!items) return;
  for (const it of items) {
    let cap: Cap | undefined;
    if (isMap(it) && it.items.length === 1) {
      const [e] = entries(f, it);
      if (!e || !e.value || !isScalar(e.value)) {
        f.error("PB003", "bad-shape", "a cap is a line like `max 3 per 7d` or `email: max 3 per 7d`", f.spanOf(it));
        continue;
      }
      const key = f.exprSource(e.keyNode);
      const val = f.exprSource(e.value);
      const text = `${key.text}: ${val.text}`;
      const split = key.text.length + 2;
      const r = f.parsed(`cap:${val.base}`, key.base, text, () => parseCap(text, (s, en) => (s < split ? f.span(key.base + s, key.base + Math.min(en, key.text.length)) : f.span(val.base + s - split, val.base + en - split))));
      f.diags.push(...r.diagnostics);
      cap = r.cap;
    } else if (isScalar(it)) {
      const src = f.exprSource(it);
      const r = f.parsed("cap", src.base, src.text, () => parseCap(src.text, src.spanOf));
      f.diags.push(...r.diagnostics);
      cap = r.cap;
    } else {
      f.error("PB003", "bad-shape", "a cap is a line like `max 3 per 7d` or `email: max 3 per 7d`", f.spanOf(it));
    }
    if (cap) ws.caps.push(cap);
  }
}

/** `rfm:` */
export function readRfm(f: YamlFile, node: Node | null, ws: Workspace, at: Span): void {
  const map = asMap(f, node, "rfm", at);
  if (!map) return;
  const es = entries(f, map);
  checkKeys(f, es, RFM_KEYS, "rfm");
  const rfm: NonNullable<Workspace["rfm"]> = { span: f.spanOf(node), event: "", value: "", window: 365 * 86_400_000, scores: 5 };
  for (const e of es) {
    const ks = f.spanOf(e.keyNode);
    if (e.key === "event" || e.key === "value") rfm[e.key] = asText(f, e.value, `rfm.${e.key}`, ks) ?? "";
    else if (e.key === "window") rfm.window = durationAt(f, e.value, "rfm.window", ks) ?? rfm.window;
    else if (e.key === "scores") {
      const n = asNumber(f, e.value, "rfm.scores", ks);
      if (n === 3 || n === 5) rfm.scores = n;
      else if (n !== null) f.error("PB004", "bad-value", "rfm.scores must be 3 or 5", f.spanOf(e.value));
    } else {
      const items = asList(f, e.value, `rfm.${e.key}`, ks);
      if (!items) continue;
      const vals = items.map((it) => (e.key === "recency" ? durationAt(f, it, "a recency bound", ks) : asNumber(f, it, `a ${e.key} bound`, ks)));
      if (vals.some((v) => v === null)) continue;
      (rfm as unknown as Record<string, number[]>)[e.key] = vals as number[];
    }
  }
  for (const dim of ["recency", "frequency", "monetary"] as const) {
    const b = rfm[dim];
    if (!b) continue;
    if (b.length !== rfm.scores - 1) f.error("PB004", "bad-value", `rfm.${dim} needs ${rfm.scores - 1} bounds for ${rfm.scores} scores, got ${b.length}`, rfm.span);
    else if (b.some((v, i) => i > 0 && v <= b[i - 1]!)) f.error("PB004", "bad-value", `rfm.${dim} bounds must be ascending`, rfm.span);
  }
  if (!rfm.event || !rfm.value) f.error("PB003", "bad-shape", "rfm needs `event` and `value`", rfm.span);
  ws.rfm = rfm;
}

/** `source:` — table and column names of a database `--data` (each a plain SQL name). */
export function readSource(f: YamlFile, node: Node | null, ws: Workspace, at: Span): void {
  if (ws.source) return void f.error("PB006", "duplicate-definition", "`source` is defined twice", at);
  const map = asMap(f, node, "source", at);
  if (!map) return;
  const es = entries(f, map);
  const keys = SOURCE_KEYS;
  checkKeys(f, es, keys, "source");
  const src = { ...SOURCE_DEFAULTS, span: f.spanOf(node) };
  for (const e of es) {
    if (!(keys as string[]).includes(e.key)) continue;
    const v = asText(f, e.value, `source.${e.key}`, f.spanOf(e.keyNode));
    if (v === null) continue;
    if (!/^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/.test(v)) f.error("PB004", "bad-value", `source.${e.key} must be a SQL name (letters, digits, _; a table may be schema.table), not ${JSON.stringify(v)}`, f.spanOf(e.value));
    else (src as Record<string, unknown>)[e.key] = v;
  }
  ws.source = src;
}

/** `templates:` */
export function readTemplates(f: YamlFile, node: Node | null, ws: Workspace, seen: Seen, at: Span): void {
  const map = asMap(f, node, "templates", at);
  if (!map) return;
  for (const e of entries(f, map, true)) {
    const span = f.spanOf(e.keyNode);
    checkName(f, e.key, "template", span);
    const tm = asMap(f, e.value, `template "${e.key}"`, span);
    const fields: { name: string; span: Span }[] = [];
    if (tm) {
      const tes = entries(f, tm);
      checkKeys(f, tes, TEMPLATE_KEYS, `template "${e.key}"`);
      const fl = tes.find((x) => x.key === "fields");
      const items = fl ? asList(f, fl.value, "fields", f.spanOf(fl.keyNode)) : [];
      for (const it of items ?? []) {
        const name = asText(f, it, "a field", span);
        if (name !== null) fields.push({ name, span: f.spanOf(it) });
      }
    }
    if (firstDefinition(f, seen, `template:${e.key}`, `template "${e.key}"`, span)) ws.templates.set(e.key, { name: e.key, span, fields });
  }
}

/** `segments:` — an expression or `{ jsonlogic: … }`. */
export function readSegments(f: YamlFile, node: Node | null, ws: Workspace, seen: Seen, at: Span): void {
  const map = asMap(f, node, "segments", at);
  if (!map) return;
  for (const e of entries(f, map, true)) {
    const span = f.spanOf(e.keyNode);
    checkName(f, e.key, "segment", span);
    let expr: Expr | undefined;
    let jsonlogic: unknown;
    if (e.value && isMap(e.value)) {
      const jes = entries(f, e.value);
      checkKeys(f, jes, JSONLOGIC_KEYS, `segment "${e.key}"`);
      const jl = jes.find((x) => x.key === "jsonlogic");
      if (jl) {
        try {
          // Aliases are not expanded past a small count: a YAML alias bomb is an error, not a hang.
          jsonlogic = jl.value ? f.doc!.createNode(null) && (jl.value as Node).toJSON(undefined, { maxAliasCount: 50, doc: f.doc! } as never) : null;
        } catch (err) {
          f.error("PB001", "yaml-syntax", `cannot read this JSON Logic: ${(err as Error).message}`, f.spanOf(jl.value));
          continue;
        }
        const r = importJsonLogic(jsonlogic, f.spanOf(jl.value ?? jl.keyNode));
        f.diags.push(...r.diagnostics);
        expr = r.expr;
      }
    } else expr = exprAt(f, e.value, `segment "${e.key}"`, span);
    if (expr && firstDefinition(f, seen, `name:${e.key}`, `"${e.key}"`, span))
      ws.segments.set(e.key, { name: e.key, span, expr, ...(jsonlogic !== undefined ? { jsonlogic } : {}) });
  }
}

/** `alerts:` */
export function readAlerts(f: YamlFile, node: Node | null, ws: Workspace, at: Span): void {
  const map = asMap(f, node, "alerts", at);
  if (!map) return;
  const es = entries(f, map);
  const keys = ALERT_KEYS;
  checkKeys(f, es, Object.keys(keys), "alerts");
  for (const e of es) {
    const k = keys[e.key as keyof typeof keys];
    if (!k) continue;
    const p = percentAt(f, e.value, e.key, f.spanOf(e.keyNode));
    if (p !== null) ws.alerts[k] = p;
  }
}

export { parseTrigger };
