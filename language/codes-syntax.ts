import type { CodeInfo } from "./codes.ts";

/** Codes of the reading stage (YAML, expression syntax, structure of sections): PB0xx. */
export const SYNTAX_CODES: CodeInfo[] = [];
