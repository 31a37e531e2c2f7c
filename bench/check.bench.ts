/**
 * `npm run bench -- check`: load + check a generated workspace of 2,000 rules
 * and 500 segments (seeded, so every run checks the same text), median of 5,
 * printed beside the time to merely `yaml.parse` the same files (the floor any
 * YAML-based checker pays). Target (issue 2): load + check under 1 s.
 */
import { parse as parseYaml } from "yaml";
import { loadWorkspaceFromFiles } from "../language/index.ts";
import { checkWorkspace } from "../language/check.ts";
import { generateWorkspace } from "./gen/workspace.ts";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => void, reps = 5): number {
  fn(); // warm-up: JIT and module caches
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

const files = generateWorkspace();
const bytes = files.reduce((n, f) => n + f.text.length, 0);
const first = loadWorkspaceFromFiles("bench", files);
const diags = [...first.diagnostics, ...checkWorkspace(first.workspace)];
const errors = diags.filter((d) => d.severity === "error");
console.log(`workspace: ${first.workspace.rules.size} rules, ${first.workspace.segments.size} segments, ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB; ${errors.length} errors, ${diags.length - errors.length} warnings`);
if (errors.length) console.log(`first error: ${errors[0]!.code} ${errors[0]!.message}`);

const yamlMs = time(() => {
  for (const f of files) parseYaml(f.text);
});
const loadMs = time(() => void loadWorkspaceFromFiles("bench", files));
let ws = first.workspace;
const checkMs = time(() => void checkWorkspace(ws));
const totalMs = time(() => {
  ws = loadWorkspaceFromFiles("bench", files).workspace;
  checkWorkspace(ws);
});
console.log(`yaml.parse only (baseline): ${yamlMs.toFixed(1)} ms`);
console.log(`load (parse + AST):         ${loadMs.toFixed(1)} ms`);
console.log(`check (names, types, lints): ${checkMs.toFixed(1)} ms`);
console.log(`load + check:               ${totalMs.toFixed(1)} ms  (${(totalMs / yamlMs).toFixed(1)}× yaml.parse; target < 1000 ms: ${totalMs < 1000 ? "met" : "NOT met"})`);
