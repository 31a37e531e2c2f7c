import type { CodeInfo } from "./codes.ts";

/**
 * Codes of the JSON Logic importer (a segment written `{ jsonlogic: … }`):
 * PB09x, in the reading range because import happens while the workspace is
 * read, before names are resolved. Owned by language/jsonlogic-import.ts.
 */
export const JSONLOGIC_CODES: CodeInfo[] = [
  {
    code: "PB090",
    name: "jsonlogic-unsupported",
    severity: "error",
    doc: "A JSON Logic operator or form with no equivalent in the playbook language (substr, cat, map, missing, %, min/max, a var of the whole data…): rewrite that part as a playbook expression.",
  },
  {
    code: "PB091",
    name: "jsonlogic-malformed",
    severity: "error",
    doc: "Not a JSON Logic rule: an object must have exactly one operator key, with the number of arguments that operator takes.",
  },
];
