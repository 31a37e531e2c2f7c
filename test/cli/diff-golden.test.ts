/**
 * The README's example change (tour step 3) through `playbook diff`, in a real
 * temporary git repository holding a copy of playbooks/shop: golden files for
 * text and Markdown, reviewed like code (the short sha is masked).
 * `UPDATE_GOLDEN=1 npx vitest run test/cli/diff-golden.test.ts` rewrites them.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";

const here = dirname(fileURLToPath(import.meta.url));
let dir: string;

function golden(name: string, text: string): void {
  const path = join(here, "golden", name);
  if (process.env.UPDATE_GOLDEN || !existsSync(path)) writeFileSync(path, text);
  expect(text).toBe(readFileSync(path, "utf8"));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pb-diff-golden-"));
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8" });
  git("init", "-q", "-b", "main");
  git("config", "user.email", "t@example.com");
  git("config", "user.name", "test");
  mkdirSync(join(dir, "playbooks"));
  cpSync(join(here, "../../playbooks/shop"), join(dir, "playbooks/shop"), { recursive: true });
  git("add", "-A");
  git("commit", "-q", "-m", "base");
  // The README's change: the thank-you rule (typos fixed), the birthday holdout raised, the cart threshold lowered.
  const p = join(dir, "playbooks/shop/lifecycle.yaml");
  const base = readFileSync(p, "utf8");
  expect(base).toMatch(/offer: \{ code: BDAY15[^\n]*\n {4}holdout: 10%/); // the edit below must apply
  const text = base
    .replace("cart_value >= 1000", "cart_value >= 500")
    .replace(/(offer: \{ code: BDAY15[^\n]*\n {4}holdout: )10%/, "$115%");
  writeFileSync(p, `${text}\n  first_order_thanks:\n    on: order_placed where amount >= 5000\n    who: count(order_placed) == 1\n    priority: 55\n    send: { channel: email, template: welcome_2 }\n`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]): Promise<string> {
  const io = memoryIO(dir);
  expect(await main(["diff", ...args], io)).toBe(0);
  expect(io.err).toBe("");
  return io.out.replace(/\(([0-9a-f]{7})\)/g, "(SHA)");
}

describe("playbook diff: the README's example change", () => {
  it("matches its golden Markdown (--dir as in the README) and text (found without --dir)", async () => {
    golden("diff-example.md", await run("--dir", "playbooks/shop", "--format", "markdown"));
    // Without --dir, from the repository root: the same workspace is found.
    golden("diff-example.txt", await run());
  });
});
