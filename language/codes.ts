/**
 * Every diagnostic code, with its stable name, default severity and one line of
 * documentation. docs/diagnostics.md is generated from this table (a test keeps
 * them equal). Ranges: PB0xx reading (YAML, syntax, structure); PB1xx names;
 * PB2xx types; PB3xx lints; PB6xx test files.
 */
import { SYNTAX_CODES } from "./codes-syntax.ts";
import { SEMANTIC_CODES } from "./codes-semantic.ts";
import { JSONLOGIC_CODES } from "./codes-jsonlogic.ts";
import { TEST_CODES } from "./codes-tests.ts";
import { VARIANT_CODES } from "./codes-variants.ts";
import type { Severity } from "./diagnostics.ts";

export interface CodeInfo {
  code: string;
  name: string;
  severity: Severity;
  /** One line: what it means and what to do. */
  doc: string;
}

/** All codes, sorted by code. */
export const CODES: readonly CodeInfo[] = [...SYNTAX_CODES, ...SEMANTIC_CODES, ...JSONLOGIC_CODES, ...TEST_CODES, ...VARIANT_CODES].sort((a, b) => (a.code < b.code ? -1 : 1));

const byCode = new Map(CODES.map((c) => [c.code, c]));
const byName = new Map(CODES.map((c) => [c.name, c]));

/** Looks a code up by `PB101` or by its name `unknown-name`; throws on an unknown one (a bug). */
export function codeInfo(codeOrName: string): CodeInfo {
  const c = byCode.get(codeOrName) ?? byName.get(codeOrName);
  if (!c) throw new Error(`unregistered diagnostic code ${codeOrName}`);
  return c;
}
