import type { CodeInfo } from "./codes.ts";

/** Codes of resolution, type checking and lints: PB1xx, PB2xx, PB3xx. */
export const SEMANTIC_CODES: CodeInfo[] = [];
