/**
 * The bundle bin/build.js writes (what `npm ci` runs through `prepare`) is what
 * bin/playbook.js runs, and it prints what the sources print. Built into a temp
 * folder (dist/test-*) here, run through PLAYBOOK_DIST, so the test neither needs nor
 * disturbs the dist/ of the working tree; under .ci/run (PLAYBOOK_EXPECT_BUNDLE=1,
 * right after `npm ci`) dist/cli itself must be there and be the one that runs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { HAS_FRONT_END, ROOT, SHOP } from "./run-support.ts";

const BIN = join(ROOT, "bin", "playbook.js");
// Inside the repository, so the bundle finds node_modules as dist/cli does (chevrotain, jstat are
// resolved from import.meta.url at run time).
mkdirSync(join(ROOT, "dist"), { recursive: true });
const tmp = mkdtempSync(join(ROOT, "dist", "test-"));
const dist = join(tmp, "cli");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function playbook(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, PLAYBOOK_DEBUG: "1", ...env }, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Every package a set of chunks imports statically, following `./chunk` imports (not `import()`). */
function staticImports(dir: string, entries: string[]): Set<string> {
  const pkgs = new Set<string>();
  const seen = new Set<string>();
  const todo = [...entries];
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const m of readFileSync(join(dir, f), "utf8").matchAll(/(?:\bfrom\s*|\bimport\s+)"([^"]+)"/g)) {
      if (m[1]!.startsWith("./")) todo.push(m[1]!.slice(2));
      else pkgs.add(m[1]!);
    }
  }
  return pkgs;
}

let build: { code: number | null; err: string };
beforeAll(() => {
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "build.js"), "--strict", dist], { cwd: ROOT, encoding: "utf8" });
  build = { code: r.status, err: r.stderr };
}, 60_000);

describe("the bundle", () => {
  it("builds with no warning", () => {
    expect(build.err).not.toContain("warning");
    expect(build.code).toBe(0);
  });

  it("is what bin/playbook.js runs, and --help is the sources' --help", () => {
    const bundled = playbook(["--help"], { PLAYBOOK_DIST: dist });
    expect(bundled.err).toMatch(/^playbook: running the bundle .*main\.js\n$/);
    const sources = playbook(["--help"], { PLAYBOOK_BUNDLE: "0" });
    expect(sources.err).toBe("playbook: running the sources through tsx: PLAYBOOK_BUNDLE=0\n");
    expect(bundled.out).toBe(sources.out);
    expect(bundled.out).toContain("  check      parse, type-check and lint workspaces\n");
    expect(bundled.code).toBe(0);
  });

  it.skipIf(!HAS_FRONT_END)("checks the example exactly as the sources do", () => {
    const bundled = playbook(["check", SHOP], { PLAYBOOK_DIST: dist });
    const sources = playbook(["check", SHOP], { PLAYBOOK_BUNDLE: "0" });
    expect(bundled.err).toMatch(/running the bundle/);
    expect(bundled.out).toBe(sources.out);
    expect(bundled.out).toMatch(/\n0 errors, \d+ warnings\n$/);
    expect(bundled.code).toBe(sources.code);
  });

  it("serves the language server (`lsp`): vscode-languageserver is bundled and answers over stdio", async () => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { processId: null, rootUri: null, capabilities: {} } });
    const child = spawn(process.execPath, [BIN, "lsp", "--stdio"], { cwd: ROOT, env: { ...process.env, PLAYBOOK_DEBUG: "1", PLAYBOOK_DIST: dist } });
    let out = "";
    let err = "";
    child.stderr.on("data", (b: Buffer) => (err += b));
    const reply = await new Promise<string>((done) => {
      child.stdout.on("data", (b: Buffer) => {
        out += b;
        const at = out.indexOf("\r\n\r\n");
        const len = Number(/Content-Length: (\d+)/.exec(out)?.[1]);
        if (at >= 0 && Buffer.byteLength(out.slice(at + 4)) >= len) done(out.slice(at + 4));
      });
      child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
    child.kill();
    expect(err).toMatch(/running the bundle/);
    const r = JSON.parse(reply) as { id: number; result: { capabilities: Record<string, unknown>; serverInfo: { name: string } } };
    expect(r.id).toBe(1);
    expect(r.result.serverInfo.name).toBe("playbook");
    expect(r.result.capabilities).toMatchObject({ hoverProvider: true, definitionProvider: true, documentFormattingProvider: true });
  });

  it("loads no DuckDB, ink or React for --help and check (static imports of their chunks)", () => {
    const command = (name: string) => readdirSync(dist).find((f) => f.startsWith(`${name}-`) && f.endsWith(".js"))!;
    const forHelp = staticImports(dist, ["main.js"]);
    const forCheck = staticImports(dist, ["main.js", command("check")]);
    for (const pkgs of [forHelp, forCheck]) expect([...pkgs].filter((p) => /^(@duckdb\/|ink$|react)/.test(p))).toEqual([]);
    expect(forCheck).toContain("node:fs/promises"); // the walk does see the chunks' imports
    // …and would see DuckDB where a command does load it.
    expect(staticImports(dist, ["main.js", command("run")])).toContain("@duckdb/node-api");
  });

  it("is built by npm ci (our prepare script) and not committed", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.scripts.prepare).toBe("node bin/build.js");
    expect(pkg.devDependencies.esbuild).toMatch(/^\d+\.\d+\.\d+$/); // pinned
    expect(readFileSync(join(ROOT, ".gitignore"), "utf8").split("\n")).toContain("/dist/");
  });

  it.runIf(process.env.PLAYBOOK_EXPECT_BUNDLE === "1")("after npm ci, dist/cli is there, up to date, and runs", () => {
    const r = playbook(["--help"], {});
    expect(r.err).toBe("playbook: running the bundle dist/cli/main.js\n");
  });
});
