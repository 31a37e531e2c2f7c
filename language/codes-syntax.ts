import type { CodeInfo } from "./codes.ts";

/** Codes of the reading stage (YAML, expression syntax, structure of sections): PB0xx. */
export const SYNTAX_CODES: CodeInfo[] = [
  { code: "PB000", name: "empty-workspace", severity: "error", doc: "The path does not exist or the folder holds no .yaml or .yml file, so there is nothing to check; the hint names a folder of similar spelling." },
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
  { code: "PB011", name: "unexpected-character", severity: "error", doc: "A character that no token of the expression language starts with (`$`, `;`, `#`); a non-ASCII character is named by its code point and, when it looks Latin (Cyrillic `с`), by the letter it is mistaken for." },
  { code: "PB013", name: "tab-indent", severity: "error", doc: "A line of YAML is indented with a tab; YAML indents with spaces only. Reported once per such line, instead of the parser's follow-on errors." },
  { code: "PB014", name: "yaml-alias", severity: "error", doc: "A YAML alias (`*name`) outside a `jsonlogic:` segment: write the step or value out where it applies, so a reviewer sees it." },
  { code: "PB015", name: "foreign-operator", severity: "error", doc: "An operator spelled as in another language (`=`, `&&`, `||`, `!`, `AND`): the message gives the playbook spelling (`==`, `and`, `or`, `not`, lower-case keywords)." },
  { code: "PB016", name: "bad-name", severity: "error", doc: "A name (attribute, event, prop, segment, channel, template, rule) with a character other than ASCII letters, digits and `_`, or starting with a digit; the message names a non-ASCII character by its code point." },
  { code: "PB017", name: "empty-file", severity: "warning", doc: "A YAML file of the workspace holds nothing (or only comments); delete it or fill it." },
  { code: "PB018", name: "include-current-not-enter", severity: "error", doc: "`include_current` is a key of rules triggered `on: enter SEGMENT` only (it lets current members enter on the first run); remove it elsewhere." },
  { code: "PB012", name: "expression-too-large", severity: "error", doc: "An expression longer than 100,000 characters or nested deeper than 200 brackets; split it into named segments." },
];
