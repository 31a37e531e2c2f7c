/**
 * docs/diagnostics.md is generated from the code registry (`CODES`) so the
 * documentation cannot drift: one line per code, `PBnnn name (severity): doc`.
 * test/language/check-doc.test.ts fails when the file is stale;
 * `UPDATE_GOLDEN=1 npx vitest run test/language/check-doc.test.ts` rewrites it.
 */
import { CODES, type CodeInfo } from "./codes.ts";

const RANGES: [string, string][] = [
  ["PB0", "Reading: YAML, expression syntax, structure of sections"],
  ["PB1", "Names"],
  ["PB2", "Types"],
  ["PB3", "Lints"],
  ["PB6", "Test files (`*.test.yaml`)"],
];

/** The full text of docs/diagnostics.md for the given codes (default: all registered). */
export function diagnosticsDoc(codes: readonly CodeInfo[] = CODES): string {
  const out = [
    "# Diagnostics",
    "",
    "<!-- Generated from language/codes.ts by language/diagnostics-doc.ts; do not edit by hand. -->",
    "",
    "Every problem `playbook check` reports has a stable code and name. Errors make `check` exit 1;",
    "warnings are reported but allowed.",
  ];
  for (const [prefix, title] of RANGES) {
    const group = codes.filter((c) => c.code.startsWith(prefix));
    if (!group.length) continue;
    out.push("", `## ${title}`, "");
    for (const c of group) out.push(`- \`${c.code}\` ${c.name} (${c.severity}): ${c.doc}`);
  }
  return out.join("\n") + "\n";
}
