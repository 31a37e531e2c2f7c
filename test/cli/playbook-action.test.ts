/**
 * The GitHub Action's script (.github/playbook-action.sh) run locally: a
 * temporary git repository with the example workspace, two commits changing
 * a playbook, the real `playbook` binary. The comment goes to a file (dry
 * run) or to a local HTTP server standing in for the GitHub REST API, which
 * the script reaches with curl as it reaches api.github.com.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, execFileSync } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCRIPT = join(ROOT, ".github/playbook-action.sh");
const LIFECYCLE = "playbooks/shop/lifecycle.yaml";

let repo: string;

function git(...args: string[]): string {
  return execFileSync("git", args, { cwd: repo, encoding: "utf8" });
}

/** Runs the script in the repository (asynchronously: the fake API answers from this process). */
function action(env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((done, fail) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GITHUB_") && !k.startsWith("PLAYBOOK_")));
    const child = spawn("bash", [SCRIPT], { cwd: repo, env: { ...clean, PLAYBOOK_CMD: `${process.execPath} ${join(ROOT, "bin/playbook.js")}`, PLAYBOOK_BASE: "main", ...env } });
    let out = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => (out += b));
    child.on("error", fail);
    child.on("close", (code) => done({ code: code ?? -1, out }));
  });
}

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "pb-action-"));
  git("init", "-q", "-b", "main");
  git("config", "user.email", "ci@example.com");
  git("config", "user.name", "CI");
  mkdirSync(join(repo, "playbooks"));
  cpSync(join(ROOT, "playbooks/shop"), join(repo, "playbooks/shop"), { recursive: true });
  git("add", "-A");
  git("commit", "-qm", "the shop workspace");
  // The pull request: a branch whose two commits change one rule's holdout, then its priority.
  git("checkout", "-q", "-b", "feature");
  const text = readFileSync(join(repo, LIFECYCLE), "utf8");
  expect(text).toMatch(/^  welcome:\n    on: signed_up\n    priority: 60 .*\n(      .*\n|    steps:\n)*    holdout: 10%\n/m);
  const raised = text.replace(/^(  welcome:\n(?:    .*\n)*?    holdout: )10%/m, "$115%");
  writeFileSync(join(repo, LIFECYCLE), raised);
  git("commit", "-qam", "welcome: holdout 15%");
  writeFileSync(join(repo, LIFECYCLE), raised.replace(/^(  welcome:\n    on: signed_up\n    priority: )60/m, "$165"));
  git("commit", "-qam", "welcome: priority 65");
}, 30_000);

afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe("playbook-action.sh", () => {
  it("prints check's annotations, runs fmt and test, and writes the diff against the base as the comment (dry run)", async () => {
    const comment = join(repo, "..", `${repo.split("/").at(-1)}-comment.md`);
    try {
      const r = await action({ PLAYBOOK_COMMENT_FILE: comment });
      expect(r.code, r.out).toBe(0);
      const annotations = r.out.split("\n").filter((l) => /^::(error|warning) /.test(l));
      expect(annotations.length).toBe(4);
      expect(annotations[0]).toMatch(/^::warning file=playbooks\/shop\/lifecycle\.yaml,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=PB303 nullable-template-field::template "cart_email" needs "first_name"/);
      expect(r.out).toMatch(/^::group::playbook test\n/m);
      expect(r.out).toMatch(/^\d+ cases: \d+ passed, 0 failed$/m);
      const body = readFileSync(comment, "utf8");
      const lines = body.split("\n");
      expect(lines.slice(0, 8)).toEqual([
        "<!-- playbook-action -->",
        "### Playbook: `playbooks`",
        "",
        "| step | result | |",
        "| --- | --- | --- |",
        "| `playbook check` | ✅ | 0 errors, 4 warnings |",
        "| `playbook fmt --check` | ✅ | 7 file(s) already formatted |",
        expect.stringMatching(/^\| `playbook test` \| ✅ \| \d+ cases: \d+ passed, 0 failed \|$/),
      ]);
      expect(body).toContain("### Playbook diff: 1 rule changed");
      expect(body).toContain("- **~ welcome** changed (`lifecycle.yaml`)\n  - priority: `60` → `65`\n  - holdout: `10%` → `15%`");
      expect(body).toContain("- welcome: holdout raised from 10% to 15%");
    } finally {
      rmSync(comment, { force: true });
    }
  }, 60_000);

  it("an error in the change is an ::error annotation, a ❌ row and exit 1; the comment is still written", async () => {
    git("checkout", "-q", "-b", "broken");
    const text = readFileSync(join(repo, LIFECYCLE), "utf8");
    writeFileSync(join(repo, LIFECYCLE), text.replace("    on: signed_up\n", "    on: signed_up\n    who: consent_emial\n"));
    git("commit", "-qam", "typo");
    const comment = join(repo, "..", `${repo.split("/").at(-1)}-broken.md`);
    try {
      const r = await action({ PLAYBOOK_COMMENT_FILE: comment });
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/^::error file=playbooks\/shop\/lifecycle\.yaml,line=\d+,col=\d+,.*title=PB101 unknown-name::unknown name "consent_emial"/m);
      const body = readFileSync(comment, "utf8");
      expect(body).toMatch(/^\| `playbook check` \| ❌ exit 1 \| 1 error, \d+ warnings \|$/m);
      expect(body).toContain("### Playbook diff");
    } finally {
      rmSync(comment, { force: true });
      git("checkout", "-q", "feature");
    }
  }, 60_000);

  describe("posting through the REST API (a local server in its place)", () => {
    let server: Server;
    const seen: { method: string; url: string; auth: string; body: string }[] = [];
    let existing: { id: number; body: string }[] = [];
    beforeAll(async () => {
      server = createServer((req: IncomingMessage, res) => {
        let body = "";
        req.on("data", (b) => (body += b));
        req.on("end", () => {
          seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization ?? "", body });
          res.setHeader("content-type", "application/json");
          if (req.method === "GET") res.end(JSON.stringify([{ id: 5, body: "a reviewer's comment" }, ...existing]));
          else res.end(JSON.stringify({ id: 99 }));
        });
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it("posts one comment, then edits the same one on the next push", async () => {
      const addr = server.address() as { port: number };
      const event = join(repo, ".git", "event.json");
      writeFileSync(event, JSON.stringify({ pull_request: { number: 7 } }));
      const env = { GITHUB_API_URL: `http://127.0.0.1:${addr.port}`, GITHUB_TOKEN: "tok", GITHUB_REPOSITORY: "shop/growth", GITHUB_EVENT_PATH: event };
      const first = await action(env);
      expect(first.code).toBe(0);
      expect(first.out).toContain("playbook-action: posted a comment on #7");
      expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(["GET /repos/shop/growth/issues/7/comments?per_page=100", "POST /repos/shop/growth/issues/7/comments"]);
      expect(seen.every((s) => s.auth === "Bearer tok")).toBe(true);
      const posted = JSON.parse(seen[1]!.body).body as string;
      expect(posted.startsWith("<!-- playbook-action -->\n### Playbook: `playbooks`\n")).toBe(true);
      expect(posted).toContain("holdout: `10%` → `15%`");

      existing = [{ id: 99, body: posted }];
      seen.length = 0;
      const second = await action(env);
      expect(second.code).toBe(0);
      expect(second.out).toContain("playbook-action: edited comment 99 on #7");
      expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(["GET /repos/shop/growth/issues/7/comments?per_page=100", "PATCH /repos/shop/growth/issues/comments/99"]);
      expect(JSON.parse(seen[1]!.body).body).toBe(posted);
    }, 60_000);
  });
});
