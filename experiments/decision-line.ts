/**
 * A fast reader for decision-log lines in the canonical layout that
 * `decisionToJson` writes (fixed key order, no whitespace). Parsing a million
 * lines with `JSON.parse` builds a million objects of thirteen keys the report
 * mostly ignores; scanning the known layout is several times faster. Any line
 * that is not exactly canonical — other key order, spaces, escapes — returns
 * null and goes through `JSON.parse`, so the result never depends on the path.
 */
import type { DecisionFields } from "./entries.ts";

const KEYS = ["customer_id", "rule", "step", "entry_id", "entered_at", "variant", "arm", "status", "channel", "template", "topic", "send_at", "reason", "playbook"] as const;
/** Fields the report reads; the others are checked for shape but not copied out. */
const KEEP = KEYS.map((k) => !["template", "topic", "reason", "playbook"].includes(k));
const PREFIXES = KEYS.map((k, i) => `${i === 0 ? "{" : ","}"${k}":`);
/** `arm` (issue 18) is an addition: a line written before it is canonical without it. */
const OPTIONAL = KEYS.indexOf("arm");
const QUOTE = 34;

/**
 * The report's fields of a canonical line, with their JSON types (strings,
 * integers, null); null when the line is not canonical.
 */
export function scanCanonicalLine(line: string): Record<string, unknown> | null {
  if (line.indexOf("\\") !== -1) return null;
  const out: Record<string, unknown> = {};
  let pos = 0;
  for (let k = 0; k < KEYS.length; k++) {
    const prefix = PREFIXES[k]!;
    if (!line.startsWith(prefix, pos)) {
      if (k === OPTIONAL) continue;
      return null;
    }
    pos += prefix.length;
    if (line.charCodeAt(pos) === QUOTE) {
      // Without backslashes a JSON string ends at the next quote.
      const end = line.indexOf('"', pos + 1);
      if (end < 0) return null;
      if (KEEP[k]) out[KEYS[k]!] = line.slice(pos + 1, end);
      pos = end + 1;
    } else {
      let end = pos;
      while (end < line.length && line.charCodeAt(end) !== 44 && line.charCodeAt(end) !== 125) end++;
      const raw = line.slice(pos, end);
      if (raw === "null") {
        if (KEEP[k]) out[KEYS[k]!] = null;
      } else if (/^-?(0|[1-9]\d*)$/.test(raw)) {
        if (KEEP[k]) out[KEYS[k]!] = Number(raw);
      } else return null;
      pos = end;
    }
  }
  // Only the closing brace (and trailing blanks, e.g. a CR) may follow.
  if (line.charCodeAt(pos) !== 125 || line.slice(pos + 1).trim() !== "") return null;
  return out;
}

/** Type guard used by the tests: the scanned record has the decision's report fields. */
export function asFields(r: Record<string, unknown>): DecisionFields {
  return r as unknown as DecisionFields;
}
