/**
 * `playbook diff`'s engine: reads both sides through git, compares them
 * structurally after normalization, adds the experiment notes, and — with
 * data — the audience impact and a witness customer for every changed
 * expression. Public surface of cli/diff/.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { compareViews } from "./compare.ts";
import { loadFrontEnd, loadSide, normalizerOf, type LoadedSide } from "./frontend.ts";
import { filesAt, holdsPlaybooks, NoWorkspaceError, repoPath, repoRoot, resolveRevisions, workspacesAt, WORKTREE, type Revision } from "./git.ts";
import { SECTIONS } from "../../language/workspace.ts";
import { experimentNotes } from "./notes.ts";
import type { DiffResult } from "./result.ts";
import { buildView } from "./view.ts";
import { findWitnesses } from "./witness.ts";
import { audienceImpact, rfmFor, type RfmOf } from "./impact.ts";
import { loadPopulation } from "./data.ts";
import type { RowCounts } from "../../engine/runtime/read.ts";

export type { DiffResult } from "./result.ts";
export { renderJson, renderMarkdown, renderText } from "./render.ts";
export { GitError, NoWorkspaceError } from "./git.ts";

/** What to compare. */
export interface DiffOptions {
  cwd: string;
  /** `[]`, `[BASE]` or `[BASE, HEAD]`. */
  revisions: string[];
  /** The workspace folder; default: every playbook folder under `cwd` the change touches. */
  dir?: string;
  /** Data folder and instant for audience impact. */
  data?: string;
  /** epoch ms. */
  at?: number;
  /** Told how many rows of the data were read, used and rejected (the command's rows line). */
  onRows?: (counts: RowCounts) => void;
}

/**
 * The instant witnesses are evaluated at without --at: the last event of the
 * data, else a fixed date, never the clock (same inputs, same output).
 */
export function lastEventTime(pop: { events: Map<string, { ts: number }[]> } | null): number {
  let t = -Infinity;
  for (const list of pop?.events.values() ?? []) if (list.length) t = Math.max(t, list[list.length - 1]!.ts);
  return Number.isFinite(t) ? t : Date.UTC(2026, 0, 1);
}

/**
 * Runs the diff over every workspace it concerns: the `--dir` folder, or —
 * without `--dir` — each folder under the current one holding playbook YAML
 * that the change touches (when it touches none: one empty result that says
 * so and names them).
 * Throws GitError for git trouble and NoWorkspaceError when there is no
 * playbook YAML to compare at either revision (docs/diff.md, "Workspaces").
 */
export async function runDiffs(o: DiffOptions): Promise<DiffResult[]> {
  const dir = o.dir ? resolve(o.cwd, o.dir) : o.cwd;
  const root = repoRoot(existsSync(dir) ? dir : o.cwd);
  const revs = resolveRevisions(root, o.revisions);
  const [b, h] = [revs.base.sha!, revs.head.sha ?? WORKTREE];
  const sides = `${revs.base.name} or ${revs.head.sha ? revs.head.name : "the working tree"}`;
  const scope = repoPath(root, dir);
  if (o.dir) {
    if (holdsPlaybooks(root, b, scope) || holdsPlaybooks(root, h, scope)) return [await diffWorkspace(o, root, revs, scope)];
    const below = workspacesAt(root, b, h, scope).all;
    throw new NoWorkspaceError(`no playbook files in ${scope || "."} at ${sides}${below.length ? `; playbook folders below it: ${below.join(", ")} (give one with --dir, or leave --dir out to diff those the change touches)` : ""}`);
  }
  const { touched, all } = workspacesAt(root, b, h, scope);
  if (!all.length) throw new NoWorkspaceError(`no playbook workspace under ${scope || "the repository root"} at ${sides}: no folder holds YAML with a top-level ${SECTIONS.join(", ")} section; give the workspace with --dir PATH`);
  if (!touched.length) {
    // True, and said once with the folders it covers rather than as one empty diff per folder.
    const names = all.length > 8 ? `${all.slice(0, 8).join(", ")} and ${all.length - 8} more` : all.join(", ");
    return [{
      base: { name: revs.base.name, sha: revs.base.sha }, head: { name: revs.head.name, sha: revs.head.sha }, dir: scope || ".",
      changes: [], notes: [], witnesses: [], no_witness: [], impact: null,
      warnings: [`the change touches none of the ${all.length} playbook folder${all.length === 1 ? "" : "s"} under ${scope || "."} (${names})`],
    }];
  }
  const out: DiffResult[] = [];
  for (const ws of touched) out.push(await diffWorkspace(o, root, revs, ws));
  return out;
}

/** Runs the diff of one workspace (see runDiffs). */
export async function runDiff(o: DiffOptions): Promise<DiffResult> {
  return (await runDiffs(o))[0]!;
}

async function diffWorkspace(o: DiffOptions, root: string, revs: { base: Revision; head: Revision }, wsPath: string): Promise<DiffResult> {
  const { base, head } = revs;
  const baseFiles = filesAt(root, base.sha!, wsPath);
  const headFiles = filesAt(root, head.sha ?? WORKTREE, wsPath);
  const fe = await loadFrontEnd();
  const norm = normalizerOf(fe);
  const bv = buildView(baseFiles, norm), hv = buildView(headFiles, norm);
  const warnings: string[] = [];
  if (!fe.parseExpression || !fe.printExpr) warnings.push("expressions compared token by token: the expression parser/printer is not available in this build");
  warnings.push(...bv.problems.map((p) => `base: ${p}`), ...hv.problems.map((p) => `head: ${p}`));
  if (baseFiles.length === 0) warnings.push(`base has no workspace files in ${wsPath || "."}`);
  if (headFiles.length === 0) warnings.push(`head has no workspace files in ${wsPath || "."}`);

  const changes = compareViews(bv.view, hv.view);
  const notes = experimentNotes(bv.view, hv.view);
  const result: DiffResult = {
    base: { name: base.name, sha: base.sha },
    head: { name: head.name, sha: head.sha },
    dir: wsPath || ".",
    changes, notes, witnesses: [], no_witness: [], impact: null, warnings,
  };

  const exprChanges = changes.some((c) => c.fields.some((f) => f.expr && f.before !== null && f.after !== null));
  if (!exprChanges && !o.data) return result;
  const sides: [LoadedSide, LoadedSide] = [loadSide(fe, join(root, wsPath), baseFiles), loadSide(fe, join(root, wsPath), headFiles)];
  const why = sides.map((s) => (s.ws ? (s.errors ? `has ${s.errors} error${s.errors === 1 ? "" : "s"} (run playbook check)` : null) : s.why));
  const pop = o.data ? await loadPopulation(resolve(o.cwd, o.data), sides[1].ws ?? sides[0].ws, sides[1].ws ? sides[0].ws : null) : null;
  if (pop?.problem) warnings.push(pop.problem);
  if (pop?.counts) o.onRows?.(pop.counts);
  if (sides[0].ws && sides[1].ws && fe.evaluate && !why[0] && !why[1]) {
    const now = o.at ?? lastEventTime(pop?.population ?? null);
    const p = pop?.population ?? null;
    const rfm: [RfmOf | null, RfmOf | null] = p ? [await rfmFor(sides[0].ws, p, now), await rfmFor(sides[1].ws, p, now)] : [null, null];
    const w = findWitnesses(changes, sides[0].ws, sides[1].ws, fe.evaluate, p, now, { rfm });
    result.witnesses = w.witnesses;
    result.no_witness = w.none;
    if (o.data && o.at !== undefined && pop?.population) {
      const im = await audienceImpact(sides[0].ws, sides[1].ws, fe.evaluate, pop.population, o.at);
      // A rule the change does not touch needs no "not computed" note: nothing about it is in question.
      const touched = new Set(changes.filter((c) => c.kind === "rule").map((c) => c.name));
      im.missing = im.missing.filter((m) => !/^rule /.test(m) || touched.has(/^rule (\S+):/.exec(m)?.[1] ?? ""));
      result.impact = im;
    }
  } else {
    const reason = !fe.evaluate ? "the reference evaluator (language/evaluator.ts) is not available in this build" : why[0] === why[1] ? `base and head: ${why[0]}` : why.map((w, i) => (w ? `${i ? "head" : "base"} ${w}` : "")).filter(Boolean).join("; ");
    for (const c of changes) for (const f of c.fields) if (f.expr && f.before !== null && f.after !== null) result.no_witness.push({ kind: c.kind, name: c.name, field: f.field, why: reason });
    if (o.data) warnings.push(`audience impact not computed: ${reason}`);
  }
  return result;
}
