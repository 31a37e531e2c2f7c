import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";
import type { DiffResult } from "../../cli/diff/index.ts";

// issue 14 item 1: a repository whose playbooks are not in the folder the diff
// is run from. A real temporary git repository, the real CLI.
const BASE = readFileSync(new URL("../fixtures/diff/base.yaml", import.meta.url), "utf8");
let dir: string;
const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8" }).trim();

function write(path: string, text: string): void {
  mkdirSync(join(dir, path, ".."), { recursive: true });
  writeFileSync(join(dir, path), text);
}

function commit(msg: string): string {
  git("add", "-A");
  git("commit", "-q", "-m", msg, "--allow-empty");
  return git("rev-parse", "HEAD");
}

async function diff(cwd: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO(cwd);
  const code = await main(["diff", ...args], io);
  return { code, out: io.out, err: io.err };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pb-diff-ws-"));
  git("init", "-q", "-b", "main");
  git("config", "user.email", "t@example.com");
  git("config", "user.name", "test");
  // Other YAML that is not a playbook: a CI file and a compose file at the root.
  write(".github/workflows/ci.yml", "on: push\njobs: {}\n");
  write("compose.yaml", "services: {}\n");
  // A Kubernetes Role has a top-level `rules:` too: not a playbook (its other keys say so).
  write("k8s/role.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nrules:\n  - apiGroups: [\"\"]\n");
  write("README.md", "a repo\n");
  write("pb/main.yaml", BASE);
  commit("base");
  // Three changes in meaning, all in pb/.
  write("pb/main.yaml", BASE.replace("priority: 60", "priority: 70").replace("who: age >= 18", "who: age >= 21").replace("  - max 2 per 1d\n", "  - max 3 per 1d\n"));
  commit("three changes");
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("playbook diff: which workspace", () => {
  it("run from the repository root, finds the workspace in pb/ that the change touches", async () => {
    const r = await diff(dir, "HEAD~1", "HEAD", "--format", "json");
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out) as DiffResult;
    expect(res.dir).toBe("pb");
    expect(res.changes.map((c) => `${c.kind} ${c.change} ${c.name}`)).toEqual(["rule changed welcome", "cap changed all channels"]);
    expect(res.changes[0]!.fields.map((f) => f.field)).toEqual(["who", "priority"]);
    const t = await diff(dir, "HEAD~1", "HEAD");
    expect(t.out).not.toContain("no change in meaning");
    expect(t.out.split("\n")[0]).toMatch(/ · pb$/);
  });

  it("diffs each workspace the change touches, and only those", async () => {
    write("pb/main.yaml", BASE);
    write("other/team.yaml", BASE);
    write("quiet/x.yaml", BASE);
    const b = commit("two more workspaces");
    write("other/team.yaml", BASE.replace("cost: 0.002", "cost: 0.003"));
    write("pb/main.yaml", BASE.replace("holdout: 10%\n    send", "holdout: 20%\n    send"));
    const h = commit("touch two");
    const r = await diff(dir, b, h, "--format", "json");
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out) as DiffResult[];
    expect(res.map((x) => [x.dir, x.changes.map((c) => c.name)])).toEqual([["other", ["email"]], ["pb", ["winback"]]]);
    const md = (await diff(dir, b, h, "--format", "markdown")).out;
    expect(md.match(/^### Playbook diff/gm)).toHaveLength(2);
  });

  it("a change that touches no workspace says no change, and over which playbook folders", async () => {
    const b = git("rev-parse", "HEAD");
    write("README.md", "a repo, edited\n");
    const h = commit("docs only");
    const res = JSON.parse((await diff(dir, b, h, "--format", "json")).out) as DiffResult;
    expect([res.dir, res.changes, res.warnings]).toEqual([".", [], ["the change touches none of the 3 playbook folders under . (other, pb, quiet)"]]);
    const t = (await diff(dir, b, h)).out;
    expect(t).toContain("no change in meaning\n");
    expect(t).toContain("note: the change touches none of the 3 playbook folders under . (other, pb, quiet)\n");
  });

  it("with no playbook YAML at either revision, says so and exits 2: never \"no change\" over nothing", async () => {
    const r = await diff(join(dir, ".github"), "HEAD~1", "HEAD");
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/^playbook diff: no playbook workspace under \.github at HEAD~1 or HEAD: .*give the workspace with --dir PATH\n$/);
  });

  it("a --dir without playbook files exits 2 and names the playbook folders below it", async () => {
    const r = await diff(dir, "HEAD~1", "HEAD", "--dir", ".");
    expect(r.code).toBe(2);
    expect(r.err).toBe("playbook diff: no playbook files in . at HEAD~1 or HEAD; playbook folders below it: other, pb, quiet (give one with --dir, or leave --dir out to diff those the change touches)\n");
  });
});
