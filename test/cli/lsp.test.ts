/**
 * `playbook lsp` spoken to by a real client over stdio: the server is the
 * command as an editor starts it (`node bin/playbook.js lsp`), the client is
 * vscode-languageserver-protocol's connection on the child's pipes. Diagnostics
 * must be `check`'s (same code, same range) for the open file's folder, with
 * the unsaved text in place of the disk's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProtocolConnection, PublishDiagnosticsParams, Diagnostic as LspDiagnostic } from "vscode-languageserver-protocol/node";
import { ROOT, SHOP, tempFolders } from "./run-support.ts";
import { startLspClient, uri, type LspClient } from "../support/lsp-client.ts";
import { main } from "../../cli/main.ts";

const tmp = tempFolders();
const ws = tmp.keep(mkdtempSync(join(tmpdir(), "pb-lsp-")));
cpSync(SHOP, ws, { recursive: true });
const LIFECYCLE = join(ws, "lifecycle.yaml");
const RETENTION = join(ws, "retention.yaml");
const disk = readFileSync(LIFECYCLE, "utf8");
const typo = disk.replace("template: welcome_1", "template: welcom_1");

let lsp: LspClient;
let client: ProtocolConnection;
const diagnosticsFor = (u: string, test: (p: PublishDiagnosticsParams) => boolean) => lsp.diagnosticsFor(u, test);

beforeAll(async () => {
  lsp = await startLspClient(ws, { debug: !!process.env.LSP_DEBUG });
  client = lsp.client;
  expect(lsp.init.capabilities).toMatchObject({ hoverProvider: true, definitionProvider: true, documentFormattingProvider: true });
}, 60_000);

afterAll(() => lsp.stop());

/** `playbook check --format json` of a folder, run in-process. */
async function checkJson(dir: string) {
  let out = "";
  await main(["check", "--format", "json", dir], { stdout: (t) => (out += t), stderr: () => undefined, cwd: ROOT, isTTY: false, env: {} });
  return JSON.parse(out) as { diagnostics: { code: string; line: number; col: number; endLine: number; endCol: number; file: string }[] };
}

const position = (text: string, needle: string, delta = 0) => {
  const off = text.indexOf(needle) + delta;
  const before = text.slice(0, off).split("\n");
  return { line: before.length - 1, character: before.at(-1)!.length };
};

describe("playbook lsp over stdio", () => {
  it("publishes check's diagnostic for a typo in the unsaved text: same code, same range", async () => {
    await client.sendNotification("textDocument/didOpen", { textDocument: { uri: uri(LIFECYCLE), languageId: "yaml", version: 1, text: typo } });
    const got = await diagnosticsFor(uri(LIFECYCLE), (p) => p.diagnostics.length > 0);
    // What `check` says of the same text on disk, in another folder.
    const other = tmp.keep(mkdtempSync(join(tmpdir(), "pb-lsp-check-")));
    cpSync(SHOP, other, { recursive: true });
    writeFileSync(join(other, "lifecycle.yaml"), typo);
    const want = (await checkJson(other)).diagnostics.filter((d) => d.file.endsWith("lifecycle.yaml"));
    expect(want.length).toBeGreaterThan(0);
    expect(got.diagnostics.map((d: LspDiagnostic) => ({ code: d.code, range: d.range }))).toEqual(
      want.map((d) => ({ code: d.code, range: { start: { line: d.line - 1, character: d.col - 1 }, end: { line: d.endLine - 1, character: d.endCol - 1 } } })),
    );
    const d = got.diagnostics[0]!;
    expect(d.code).toBe(want[0]!.code);
    expect(d.range.start).toEqual(position(typo, "welcom_1"));
    expect(d.message).toBe('unknown template "welcom_1"\ndid you mean "welcome_1"?');
    // The checker's other findings reach the other files of the folder (the unused template).
    const policy = await diagnosticsFor(uri(join(ws, "policy.yaml")), (p) => p.diagnostics.length > 0);
    expect(policy.diagnostics.map((x) => x.code)).toEqual(["PB302"]);
  });

  it("drops the diagnostic when the typo is fixed by an edit (a keystroke)", async () => {
    const at = position(typo, "welcom_1", "welcom".length);
    await client.sendNotification("textDocument/didChange", { textDocument: { uri: uri(LIFECYCLE), version: 2 }, contentChanges: [{ range: { start: at, end: at }, text: "e" }] });
    const got = await diagnosticsFor(uri(LIFECYCLE), (p) => !p.diagnostics.some((d) => d.code === "PB106"));
    // The template the typo left unused is used again: policy.yaml's PB302 goes too.
    const policy = await diagnosticsFor(uri(join(ws, "policy.yaml")), (p) => !p.diagnostics.some((d) => d.code === "PB302"));
    expect(policy.diagnostics).toEqual([]);
    // Now the text is the disk's again: exactly what `check` says of the folder (a lint the error held back).
    const want = (await checkJson(ws)).diagnostics.filter((d) => d.file.endsWith("lifecycle.yaml"));
    expect(want.map((d) => d.code)).toEqual(["PB303"]);
    expect(got.diagnostics.map((d) => ({ code: d.code, line: d.range.start.line + 1, col: d.range.start.character + 1 }))).toEqual(want.map((d) => ({ code: d.code, line: d.line, col: d.col })));
  });

  it("completes templates after `template:`, channels after `channel:`, rule keys, section keys", async () => {
    const text = disk.replace("        template: welcome_2\n", "        template: \n");
    await client.sendNotification("textDocument/didChange", { textDocument: { uri: uri(LIFECYCLE), version: 3 }, contentChanges: [{ text }] });
    const labels = async (needle: string, delta: number) => {
      const r = (await client.sendRequest("textDocument/completion", { textDocument: { uri: uri(LIFECYCLE) }, position: position(text, needle, delta) })) as { label: string }[];
      return r.map((x) => x.label);
    };
    const templates = await labels("template: \n", "template: ".length);
    expect(templates).toContain("welcome_2");
    expect(templates).toContain("cart_push");
    expect(templates).not.toContain("email");
    const channels = await labels("channel: email\n        template: \n", "channel: ".length);
    expect(channels).toEqual(expect.arrayContaining(["email", "push", "sms"]));
    const ruleKeys = await labels("    priority: 60", 4);
    expect(ruleKeys).toEqual(expect.arrayContaining(["on", "who", "unless", "steps", "send", "holdout"]));
    const stepKeys = await labels("        template: \n", 8);
    expect(stepKeys).toEqual(expect.arrayContaining(["after", "channel", "template", "topic", "offer"]));
    expect(await labels("rules:", 0)).toEqual(expect.arrayContaining(["schema", "rules", "segments", "channels", "templates"]));
  });

  it("completes events after `on:`, the trigger's props in its where, attributes and segments in who", async () => {
    const text = disk.replace("    on: cart_abandoned where cart_value >= 1000", "    on: cart_abandoned where \n    who: ");
    await client.sendNotification("textDocument/didChange", { textDocument: { uri: uri(LIFECYCLE), version: 4 }, contentChanges: [{ text }] });
    const labels = async (at: { line: number; character: number }) =>
      ((await client.sendRequest("textDocument/completion", { textDocument: { uri: uri(LIFECYCLE) }, position: at })) as { label: string }[]).map((x) => x.label);
    const on = await labels(position(text, "on: signed_up", "on: ".length));
    expect(on).toEqual(expect.arrayContaining(["signed_up", "cart_abandoned", "order_placed", "message_clicked"]));
    const where = await labels(position(text, "where \n", "where ".length));
    expect(where).toContain("cart_value");
    const who = await labels(position(text, "    who: \n", "    who: ".length));
    expect(who).toEqual(expect.arrayContaining(["first_name", "champions", "consent_push"]));
  });

  it("hovers a segment with its definition and an attribute with its type", async () => {
    await client.sendNotification("textDocument/didChange", { textDocument: { uri: uri(LIFECYCLE), version: 5 }, contentChanges: [{ text: disk }] });
    const hover = async (text: string, needle: string, delta: number) =>
      (await client.sendRequest("textDocument/hover", { textDocument: { uri: uri(LIFECYCLE) }, position: position(text, needle, delta) })) as { contents: { value: string } } | null;
    const attr = await hover(disk, "who: first_name", "who: f".length);
    expect(attr?.contents.value).toBe("customer attribute `first_name`: `string?` — a string (may be null)");
    const retention = readFileSync(RETENTION, "utf8");
    await client.sendNotification("textDocument/didOpen", { textDocument: { uri: uri(RETENTION), languageId: "yaml", version: 1, text: retention } });
    const seg = (await client.sendRequest("textDocument/hover", { textDocument: { uri: uri(RETENTION) }, position: position(retention, "champions:", 2) })) as { contents: { value: string } };
    expect(seg.contents.value).toBe("segment `champions`\n\n```playbook\nrfm.r >= 4 and rfm.f >= 4 and rfm.m >= 4\n```");
  });

  it("goes to the definition of a template, a channel and a segment", async () => {
    const policy = readFileSync(join(ws, "policy.yaml"), "utf8");
    const def = async (needle: string, delta: number) =>
      (await client.sendRequest("textDocument/definition", { textDocument: { uri: uri(LIFECYCLE) }, position: position(disk, needle, delta) })) as { uri: string; range: { start: { line: number; character: number } } };
    const t = await def("template: welcome_1", "template: w".length);
    expect(t).toEqual({ uri: uri(join(ws, "policy.yaml")), range: { start: position(policy, "welcome_1:"), end: position(policy, "welcome_1:", "welcome_1".length) } });
    const c = await def("channel: email", "channel: e".length);
    expect(c.uri).toBe(uri(join(ws, "policy.yaml")));
    expect(c.range.start).toEqual(position(policy, "email:    {"));
  });

  it("formats through fmt: one edit giving fmt's text", async () => {
    const messy = disk.replace("on: cart_abandoned where cart_value >= 1000", "on: cart_abandoned   where cart_value>=1000");
    await client.sendNotification("textDocument/didChange", { textDocument: { uri: uri(LIFECYCLE), version: 6 }, contentChanges: [{ text: messy }] });
    const edits = (await client.sendRequest("textDocument/formatting", { textDocument: { uri: uri(LIFECYCLE) }, options: { tabSize: 2, insertSpaces: true } })) as { newText: string }[];
    expect(edits).toHaveLength(1);
    expect(edits[0]!.newText).toBe(disk);
  });
});
