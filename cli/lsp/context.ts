/**
 * Where the cursor stands in a playbook file, read from the text itself (the
 * document being typed rarely parses): the chain of YAML keys above it by
 * indentation (`rules › cart_recovery › steps › -`), whether it is at a key or
 * in a value, and which key that value belongs to.
 */

/** The cursor's place. */
export interface Place {
  /** Keys from the top level down to the map the cursor is in; "-" for a list item. */
  path: string[];
  /** True when the cursor is where a key is written. */
  atKey: boolean;
  /** In a value: the key it belongs to (the last `key:` before the cursor on its line). */
  valueKey?: string;
  /** The line's text before the cursor. */
  before: string;
  /** The word being typed (letters, digits and _ just before the cursor). */
  prefix: string;
}

const KEY_LINE = /^(\s*)(-\s+)?([A-Za-z_][\w.-]*|"[^"]*"|'[^']*')\s*:(\s|$)/;

/** The place of character offset `offset` in `text`. */
export function placeAt(text: string, offset: number): Place {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const prefix = /[A-Za-z_][\w]*$/.exec(before)?.[0] ?? "";
  const lead = /^(\s*)(-\s+)?/.exec(before)!;
  const rest = before.slice(lead[0].length);
  const valueKey = [...rest.matchAll(/([A-Za-z_]\w*)\s*:(?=\s|$)/g)].at(-1)?.[1];
  const atKey = !/:(\s|$)/.test(rest);
  const lines = text.slice(0, lineStart).split("\n");
  lines.pop();
  const path: string[] = [];
  let cur = lead[1]!.length + (lead[2]?.length ?? 0);
  if (lead[2]) {
    path.unshift("-");
    cur = lead[1]!.length;
  }
  for (let i = lines.length - 1; i >= 0 && cur > 0; i--) {
    const line = lines[i]!;
    if (/^\s*(#.*)?$/.test(line)) continue;
    const m = KEY_LINE.exec(line);
    const ind = /^\s*/.exec(line)![0].length;
    if (!m) {
      // A list item without a key (`- x`) at a shallower indent still opens an item.
      if (ind < cur && /^\s*-(\s|$)/.test(line)) {
        path.unshift("-");
        cur = ind;
      }
      continue;
    }
    const keyInd = ind + (m[2]?.length ?? 0);
    const key = m[3]!.replace(/^["']|["']$/g, "");
    if (m[2] && keyInd === cur) {
      path.unshift("-");
      cur = ind;
    } else if (keyInd < cur) {
      path.unshift(key);
      cur = keyInd;
      if (m[2]) {
        path.unshift("-");
        cur = ind;
      }
    }
  }
  const place: Place = { path, atKey, before, prefix };
  if (!atKey && valueKey) place.valueKey = valueKey;
  return place;
}

/** The name under offset `offset` (with the name before a `.`, if any), and where it lies. */
export function nameAt(text: string, offset: number): { name: string; owner?: string; start: number; end: number } | null {
  const isName = (c: string | undefined) => c !== undefined && /[\w]/.test(c);
  let s = offset;
  let e = offset;
  while (s > 0 && isName(text[s - 1])) s--;
  while (e < text.length && isName(text[e])) e++;
  if (s === e || !/^[A-Za-z_]/.test(text.slice(s, e))) return null;
  const r: { name: string; owner?: string; start: number; end: number } = { name: text.slice(s, e), start: s, end: e };
  if (text[s - 1] === ".") {
    const o = /[A-Za-z_][\w]*$/.exec(text.slice(0, s - 1));
    if (o) r.owner = o[0];
  }
  return r;
}
