/**
 * A real LSP client for `playbook lsp` over stdio: the server is started as
 * an editor starts it (`node bin/playbook.js lsp --stdio`), the client is
 * vscode-languageserver-protocol's connection on the child's pipes. Used by
 * test/cli/lsp.test.ts and `npm run bench -- lsp`; no vitest in here.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection, type PublishDiagnosticsParams } from "vscode-languageserver-protocol/node";

export const ROOT = join(import.meta.dirname, "..", "..");

/** `file://` URI of an absolute path. */
export const uri = (p: string) => pathToFileURL(p).href;

export interface LspClient {
  client: ProtocolConnection;
  child: ChildProcess;
  /** The initialize result. */
  init: { capabilities: Record<string, unknown> };
  /** The latest diagnostics published per URI. */
  latest: Map<string, PublishDiagnosticsParams>;
  /** The next diagnostics published for `u` that satisfy `test` (or the latest, if it already does). */
  diagnosticsFor: (u: string, test: (p: PublishDiagnosticsParams) => boolean) => Promise<PublishDiagnosticsParams>;
  /** The next diagnostics published for `u`, whatever they say. */
  nextDiagnostics: (u: string) => Promise<PublishDiagnosticsParams>;
  /** shutdown, exit, and the child's end. */
  stop: () => Promise<void>;
}

/** Starts the server and initializes it with `rootDir` as the workspace root. */
export async function startLspClient(rootDir: string, o: { debug?: boolean } = {}): Promise<LspClient> {
  const child = spawn(process.execPath, [join(ROOT, "bin", "playbook.js"), "lsp", "--stdio"], { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] });
  const client = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const latest = new Map<string, PublishDiagnosticsParams>();
  const waiters: { uri: string; test: (p: PublishDiagnosticsParams) => boolean; done: (p: PublishDiagnosticsParams) => void }[] = [];
  client.onNotification("textDocument/publishDiagnostics", (p: PublishDiagnosticsParams) => {
    latest.set(p.uri, p);
    if (o.debug) console.error(JSON.stringify(p));
    for (const w of [...waiters]) if (w.uri === p.uri && w.test(p)) waiters.splice(waiters.indexOf(w), 1), w.done(p);
  });
  client.listen();
  const diagnosticsFor = (u: string, test: (p: PublishDiagnosticsParams) => boolean) => {
    const have = latest.get(u);
    if (have && test(have)) return Promise.resolve(have);
    return new Promise<PublishDiagnosticsParams>((done) => waiters.push({ uri: u, test, done }));
  };
  const nextDiagnostics = (u: string) => new Promise<PublishDiagnosticsParams>((done) => waiters.push({ uri: u, test: () => true, done }));
  const init = (await client.sendRequest("initialize", { processId: process.pid, rootUri: uri(rootDir), capabilities: {}, workspaceFolders: null })) as LspClient["init"];
  await client.sendNotification("initialized", {});
  const stop = async () => {
    await client.sendRequest("shutdown").catch(() => undefined);
    await client.sendNotification("exit").catch(() => undefined);
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
    client.dispose();
  };
  return { client, child, init, latest, diagnosticsFor, nextDiagnostics, stop };
}
