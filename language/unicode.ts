/**
 * Naming characters that people paste by accident: a Cyrillic or Greek letter
 * that looks Latin, typographic quotes and dashes, a no-break space. Node has
 * no table of Unicode character names, and pulling one in for a message is
 * not worth a dependency, so this is a small hand-kept table of the
 * characters that actually turn up in text copied from documents and
 * messengers; any other character is named by its code point alone.
 */

/** [name, the ASCII character it is mistaken for] by code point. */
const KNOWN: Record<number, [string, string]> = {
  0x0430: ["CYRILLIC SMALL LETTER A", "a"],
  0x0435: ["CYRILLIC SMALL LETTER IE", "e"],
  0x043e: ["CYRILLIC SMALL LETTER O", "o"],
  0x0440: ["CYRILLIC SMALL LETTER ER", "p"],
  0x0441: ["CYRILLIC SMALL LETTER ES", "c"],
  0x0443: ["CYRILLIC SMALL LETTER U", "y"],
  0x0445: ["CYRILLIC SMALL LETTER HA", "x"],
  0x0455: ["CYRILLIC SMALL LETTER DZE", "s"],
  0x0456: ["CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I", "i"],
  0x0458: ["CYRILLIC SMALL LETTER JE", "j"],
  0x04bb: ["CYRILLIC SMALL LETTER SHHA", "h"],
  0x0501: ["CYRILLIC SMALL LETTER KOMI DE", "d"],
  0x0405: ["CYRILLIC CAPITAL LETTER DZE", "S"],
  0x0406: ["CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I", "I"],
  0x0408: ["CYRILLIC CAPITAL LETTER JE", "J"],
  0x0410: ["CYRILLIC CAPITAL LETTER A", "A"],
  0x0412: ["CYRILLIC CAPITAL LETTER VE", "B"],
  0x0415: ["CYRILLIC CAPITAL LETTER IE", "E"],
  0x041a: ["CYRILLIC CAPITAL LETTER KA", "K"],
  0x041c: ["CYRILLIC CAPITAL LETTER EM", "M"],
  0x041d: ["CYRILLIC CAPITAL LETTER EN", "H"],
  0x041e: ["CYRILLIC CAPITAL LETTER O", "O"],
  0x0420: ["CYRILLIC CAPITAL LETTER ER", "P"],
  0x0421: ["CYRILLIC CAPITAL LETTER ES", "C"],
  0x0422: ["CYRILLIC CAPITAL LETTER TE", "T"],
  0x0425: ["CYRILLIC CAPITAL LETTER HA", "X"],
  0x03b1: ["GREEK SMALL LETTER ALPHA", "a"],
  0x03bd: ["GREEK SMALL LETTER NU", "v"],
  0x03bf: ["GREEK SMALL LETTER OMICRON", "o"],
  0x0391: ["GREEK CAPITAL LETTER ALPHA", "A"],
  0x0392: ["GREEK CAPITAL LETTER BETA", "B"],
  0x0395: ["GREEK CAPITAL LETTER EPSILON", "E"],
  0x0397: ["GREEK CAPITAL LETTER ETA", "H"],
  0x0399: ["GREEK CAPITAL LETTER IOTA", "I"],
  0x039a: ["GREEK CAPITAL LETTER KAPPA", "K"],
  0x039c: ["GREEK CAPITAL LETTER MU", "M"],
  0x039d: ["GREEK CAPITAL LETTER NU", "N"],
  0x039f: ["GREEK CAPITAL LETTER OMICRON", "O"],
  0x03a1: ["GREEK CAPITAL LETTER RHO", "P"],
  0x03a4: ["GREEK CAPITAL LETTER TAU", "T"],
  0x03a7: ["GREEK CAPITAL LETTER CHI", "X"],
  0x00a0: ["NO-BREAK SPACE", " "],
  0x2013: ["EN DASH", "-"],
  0x2014: ["EM DASH", "-"],
  0x2212: ["MINUS SIGN", "-"],
  0x2018: ["LEFT SINGLE QUOTATION MARK", "'"],
  0x2019: ["RIGHT SINGLE QUOTATION MARK", "'"],
  0x201c: ["LEFT DOUBLE QUOTATION MARK", '"'],
  0x201d: ["RIGHT DOUBLE QUOTATION MARK", '"'],
  0x00ab: ["LEFT-POINTING DOUBLE ANGLE QUOTATION MARK", '"'],
  0x00bb: ["RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK", '"'],
};

/** Unicode names of the Russian letters U+0410–U+042F (the small letters are U+0430–U+044F, same order). */
const CYRILLIC = ["A", "BE", "VE", "GHE", "DE", "IE", "ZHE", "ZE", "I", "SHORT I", "KA", "EL", "EM", "EN", "O", "PE", "ER", "ES", "TE", "U", "EF", "HA", "TSE", "CHE", "SHA", "SHCHA", "HARD SIGN", "YERU", "SOFT SIGN", "E", "YU", "YA"];

/** The Unicode name of `cp`, when this module knows it. */
function nameOf(cp: number): string | undefined {
  const k = KNOWN[cp];
  if (k) return k[0];
  if (cp >= 0x0410 && cp <= 0x044f) return `CYRILLIC ${cp < 0x0430 ? "CAPITAL" : "SMALL"} LETTER ${CYRILLIC[(cp - 0x0410) % 32]}`;
  if (cp === 0x0401 || cp === 0x0451) return `CYRILLIC ${cp === 0x0401 ? "CAPITAL" : "SMALL"} LETTER IO`;
  return undefined;
}

/** `U+0441`. */
export function codePoint(ch: string): string {
  return "U+" + ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
}

/** The ASCII character `ch` is commonly mistaken for, if it is in the table. */
export function looksLike(ch: string): string | undefined {
  return KNOWN[ch.codePointAt(0)!]?.[1];
}

/** `"с" (U+0441 CYRILLIC SMALL LETTER ES)`, or `"ж" (U+0436)` for a character not in the table. */
export function describeChar(ch: string): string {
  const name = nameOf(ch.codePointAt(0)!);
  return `${JSON.stringify(ch)} (${codePoint(ch)}${name ? " " + name : ""})`;
}

/** The hint for a stray non-ASCII character: what to type instead. */
export function charHint(ch: string): string {
  const like = looksLike(ch);
  if (like === " ") return "it is not a plain space; retype the space";
  if (like === "-") return "use a hyphen (-)";
  if (like === '"' || like === "'") return `use straight quotes (${like})`;
  if (like) return `it looks like the Latin "${like}" but is not; retype it with a Latin keyboard layout`;
  return "names are written with Latin letters, digits and _; text in other scripts goes inside quotes";
}

/** The first character of `s` outside ASCII, or undefined. */
export function firstNonAscii(s: string): { ch: string; at: number } | undefined {
  for (let i = 0; i < s.length; ) {
    const cp = s.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (cp > 0x7f) return { ch, at: i };
    i += ch.length;
  }
  return undefined;
}
