import type { CodeInfo } from "./codes.ts";

/** Codes of the reading stage (YAML, expression syntax, structure of sections): PB0xx. */
export const SYNTAX_CODES: CodeInfo[] = [
  { code: "PB000", name: "empty-workspace", severity: "warning", doc: "The folder holds no .yaml or .yml file; check the path." },
  { code: "PB001", name: "yaml-syntax", severity: "error", doc: "The file is not valid YAML (bad indentation, tabs, unclosed quote or bracket, alias limit); fix it at the position shown." },
  { code: "PB002", name: "unknown-key", severity: "error", doc: "A key the language does not know at this place (often a typo: `priorty` → `priority`); the hint lists the closest key or the allowed ones." },
  { code: "PB003", name: "bad-shape", severity: "error", doc: "A value has the wrong shape: a list where a map belongs, a map where an expression belongs, a missing value." },
  { code: "PB004", name: "bad-value", severity: "error", doc: "A value cannot be read: not a duration (`3d`), a percentage (`10%`), a time (`09:00-21:00`), a type, a time zone, or bounds out of order." },
  { code: "PB005", name: "send-or-steps", severity: "error", doc: "A rule needs exactly one of `send:` (one message) or `steps:` (a cadence)." },
  { code: "PB006", name: "duplicate-definition", severity: "error", doc: "A name (segment, attribute, event, channel, template, rule) or key is defined twice; the note points at the first definition." },
  { code: "PB007", name: "missing-key", severity: "error", doc: "A required key is missing: a rule's `on:`, a step's `channel:`, an offer's `code`." },
  { code: "PB008", name: "not-text", severity: "error", doc: "The file is not UTF-8 text (binary content or invalid bytes)." },
  { code: "PB009", name: "file-too-large", severity: "error", doc: "A playbook file larger than 16 MiB is not read." },
  { code: "PB010", name: "syntax-error", severity: "error", doc: "An expression, trigger or cap does not follow the grammar; the caret marks the first token that does not fit." },
  { code: "PB011", name: "unexpected-character", severity: "error", doc: "A character that no token of the expression language starts with (`$`, `&&`, `;`)." },
  { code: "PB012", name: "expression-too-large", severity: "error", doc: "An expression longer than 100,000 characters or nested deeper than 200 brackets; split it into named segments." },
];
