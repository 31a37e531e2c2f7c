/**
 * `playbook lsp`: the Language Server Protocol over stdio. Diagnostics are the
 * checker's (`folder.ts`: the open file's whole folder, unsaved text first),
 * sent after every change; completion, hover and definition read the folder's
 * last checked workspace (`names.ts`); formatting is `playbook fmt`'s.
 */
import { createConnection, DiagnosticSeverity, TextDocuments, TextDocumentSyncKind, type Connection, type Diagnostic as LspDiagnostic } from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Span } from "../../language/ast.ts";
import type { Diagnostic } from "../../language/diagnostics.ts";
import { formatText } from "../../language/formatter.ts";
import { Folder } from "./folder.ts";
import { nameAt, placeAt } from "./context.ts";
import { complete, definitionOf, hoverText } from "./names.ts";

/** A span as an LSP range (0-based lines and UTF-16 columns; spans count columns from 1). */
export function rangeOf(s: Span) {
  return { start: { line: s.line - 1, character: s.col - 1 }, end: { line: s.endLine - 1, character: s.endCol - 1 } };
}

/** A diagnostic of the checker as the editor shows it: same code, same range. */
export function toLsp(d: Diagnostic, uriOf: (path: string) => string): LspDiagnostic {
  const out: LspDiagnostic = {
    range: rangeOf(d.span!),
    severity: d.severity === "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: d.code,
    source: "playbook",
    message: d.hint ? `${d.message}\n${d.hint}` : d.message,
  };
  if (d.related?.length) out.relatedInformation = d.related.map((r) => ({ message: r.message, location: { uri: uriOf(r.span.file), range: rangeOf(r.span) } }));
  return out;
}

/** Starts the server on stdin/stdout; resolves when the client ends it. */
export function startServer(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): Promise<void> {
  const connection: Connection = createConnection(input, output);
  const documents = new TextDocuments(TextDocument);
  const folders = new Map<string, Folder>();
  const uris = new Map<string, string>();
  const published = new Map<string, string>();
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();

  const pathOf = (uri: string) => (uri.startsWith("file:") ? fileURLToPath(uri) : null);
  const uriOf = (path: string) => uris.get(path) ?? pathToFileURL(path).href;
  const folderOf = (path: string) => {
    const dir = dirname(path);
    let f = folders.get(dir);
    if (!f) folders.set(dir, (f = new Folder(dir)));
    return f;
  };
  const openTexts = () => {
    const m = new Map<string, string>();
    for (const d of documents.all()) {
      const p = pathOf(d.uri);
      if (p) m.set(p, d.getText());
    }
    return m;
  };

  /** Checks a folder and publishes what changed; a change during a check queues one more. */
  const check = (folder: Folder): Promise<void> => {
    const busy = running.get(folder.dir);
    if (busy) {
      again.add(folder.dir);
      return busy;
    }
    const p = (async () => {
      do {
        again.delete(folder.dir);
        const r = await folder.check(openTexts());
        if (again.has(folder.dir)) continue;
        for (const [path, ds] of r.byFile) {
          const diagnostics = ds.map((d) => toLsp(d, uriOf));
          const key = JSON.stringify(diagnostics);
          const uri = uriOf(path);
          if (published.get(uri) === key) continue;
          published.set(uri, key);
          await connection.sendDiagnostics({ uri, diagnostics });
        }
      } while (again.has(folder.dir));
    })().finally(() => running.delete(folder.dir));
    running.set(folder.dir, p);
    return p;
  };
  const checkDoc = (uri: string) => {
    const p = pathOf(uri);
    if (p) {
      uris.set(p, uri);
      void check(folderOf(p)).catch((e) => connection.console.error(`playbook lsp: ${(e as Error).message}`));
    }
  };
  /** The document's folder, checked with its latest text before answering. */
  const ready = async (uri: string) => {
    const p = pathOf(uri);
    if (!p) return null;
    const f = folderOf(p);
    await (running.get(f.dir) ?? (f.last ? Promise.resolve() : check(f)));
    return f.last;
  };

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: [" ", ".", "[", ","] },
      hoverProvider: true,
      definitionProvider: true,
      documentFormattingProvider: true,
    },
    serverInfo: { name: "playbook", version: "0.1.0" },
  }));
  documents.onDidChangeContent((e) => checkDoc(e.document.uri));
  documents.onDidSave((e) => {
    const p = pathOf(e.document.uri);
    if (p) folderOf(p).invalidate(p);
  });
  documents.onDidClose((e) => {
    const p = pathOf(e.document.uri);
    if (p) folderOf(p).invalidate(p);
    checkDoc(e.document.uri);
  });
  connection.onDidChangeWatchedFiles((e) => {
    for (const c of e.changes) {
      const p = pathOf(c.uri);
      if (!p) continue;
      const f = folderOf(p);
      f.invalidate();
      void check(f);
    }
  });
  connection.onCompletion(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    const last = await ready(params.textDocument.uri);
    if (!doc || !last) return [];
    return complete(last.workspace, placeAt(doc.getText(), doc.offsetAt(params.position)));
  });
  connection.onHover(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    const last = await ready(params.textDocument.uri);
    if (!doc || !last) return null;
    const text = doc.getText();
    const at = doc.offsetAt(params.position);
    const n = nameAt(text, at);
    if (!n) return null;
    const md = hoverText(last.workspace, n.name, n.owner, placeAt(text, n.start).path);
    return md ? { contents: { kind: "markdown", value: md }, range: { start: doc.positionAt(n.start), end: doc.positionAt(n.end) } } : null;
  });
  connection.onDefinition(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    const last = await ready(params.textDocument.uri);
    if (!doc || !last) return null;
    const text = doc.getText();
    const n = nameAt(text, doc.offsetAt(params.position));
    if (!n) return null;
    const span = definitionOf(last.workspace, n.name, n.owner, placeAt(text, n.start).path);
    return span ? { uri: uriOf(span.file), range: rangeOf(span) } : null;
  });
  connection.onDocumentFormatting((params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const r = formatText(pathOf(doc.uri) ?? doc.uri, doc.getText());
    if (!r.changed || r.diagnostics.some((d) => d.severity === "error")) return [];
    return [{ range: { start: { line: 0, character: 0 }, end: doc.positionAt(doc.getText().length) }, newText: r.text }];
  });

  documents.listen(connection);
  return new Promise((resolve) => {
    connection.onExit(() => resolve());
    connection.listen();
  });
}
