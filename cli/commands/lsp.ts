/**
 * `playbook lsp`: the language server for editors (cli/lsp/), over stdin and
 * stdout. See docs/editor.md for VS Code and Neovim.
 */
import { EXIT, type CliIO } from "../io.ts";

/** One line for `playbook --help`. */
export const summary = "the language server for editors: diagnostics, completion, hover, definition, formatting (stdio)";

/** `playbook lsp --help`. */
export const usage = `Usage: playbook lsp [--stdio]

Speaks the Language Server Protocol on stdin/stdout, for an editor to start
(docs/editor.md has the VS Code and Neovim set-up). --stdio, which clients
pass, is accepted and is the only transport.

As you type: the diagnostics of \`playbook check\` (same codes and ranges) for
the folder of the open file, unsaved text in place of what is on disk;
completion of section and rule keys, events, props, attributes, channels,
templates and segments; hover with a name's type or a segment's definition;
go to definition; formatting as \`playbook fmt\`.

Options:
  --stdio   talk over stdin/stdout (the default)
  --help    this text
`;

/** Runs the server until the client asks it to exit. */
export async function run(args: string[], io: CliIO): Promise<number> {
  const bad = args.find((a) => a !== "--stdio");
  if (bad) {
    io.stderr(`playbook lsp: unknown option ${bad} (the server talks over stdio only)\n`);
    return EXIT.usage;
  }
  const { startServer } = await import("../lsp/server.ts");
  await startServer();
  return EXIT.ok;
}
