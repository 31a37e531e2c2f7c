/**
 * `playbook schema`: prints the JSON Schema of playbook files
 * (language/json-schema.ts). docs/playbook.schema.json is its committed copy.
 */
import { EXIT, type CliIO } from "../io.ts";
import { playbookSchema } from "../../language/json-schema.ts";

/** One line for `playbook --help`. */
export const summary = "print the JSON Schema of playbook files, for editors' YAML extensions";

/** `playbook schema --help`. */
export const usage = `Usage: playbook schema

Prints the JSON Schema (draft-07) of a playbook file: its sections and the
keys each may hold, generated from the checker's own key lists, so an editor's
YAML extension flags an unknown key as \`playbook check\` does. The copy in
docs/playbook.schema.json is kept equal to this output by a test.

Options:
  --help   this text
`;

/** The schema as printed: two-space JSON and a final newline. */
export function schemaText(): string {
  return JSON.stringify(playbookSchema(), null, 2) + "\n";
}

/** Runs the command. */
export async function run(args: string[], io: CliIO): Promise<number> {
  if (args.length) {
    io.stderr(`playbook schema: takes no arguments (got ${args[0]})\n`);
    return EXIT.usage;
  }
  io.stdout(schemaText());
  return EXIT.ok;
}
