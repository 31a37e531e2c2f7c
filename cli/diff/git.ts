/**
 * Git plumbing for `playbook diff`: which revisions to compare and the
 * workspace's files at each. Files at a revision are read with
 * `git ls-tree` + `git show REV:path`, never by checking anything out, so the
 * user's working tree and index are untouched. The working tree is read from
 * disk (including files not yet added to git).
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import type { SourceFile } from "../../language/ast.ts";

/** The working tree, as a revision name. */
export const WORKTREE = "WORKTREE";

/** A failed git call, with git's own message (shown to the user as is). */
export class GitError extends Error {}

function git(cwd: string, args: string[]): string {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new GitError((err.stderr || err.message).trim().split("\n")[0] ?? "git failed");
  }
}

/** The top folder of the repository holding `cwd`. */
export function repoRoot(cwd: string): string {
  return git(cwd, ["rev-parse", "--show-toplevel"]).trim();
}

/** The full sha of a revision. */
export function revSha(root: string, rev: string): string {
  return git(root, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]).trim();
}

/**
 * The default branch to compare against: `origin/HEAD`'s target when there is
 * a remote, else the first of main, master, trunk that exists; else HEAD.
 */
export function defaultBranch(root: string): string {
  try {
    const ref = git(root, ["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"]).trim();
    if (ref) return ref.replace(/^refs\/remotes\//, "");
  } catch {
    // no remote: fall through to local names
  }
  for (const name of ["main", "master", "trunk"]) {
    try {
      revSha(root, name);
      return name;
    } catch {
      // try the next
    }
  }
  return "HEAD";
}

/** The merge base of two revisions (where a branch forked). */
export function mergeBase(root: string, a: string, b: string): string {
  return git(root, ["merge-base", a, b]).trim();
}

/** The workspace folder as a path inside the repository ("" for the root), with forward slashes. */
export function repoPath(root: string, dir: string): string {
  const rel = relative(root, resolve(dir));
  if (rel.startsWith("..")) throw new GitError(`${dir} is outside the repository at ${root}`);
  return rel.split(sep).join("/");
}

const YAML = /\.ya?ml$/;

/**
 * The workspace's YAML files at a revision (or in the working tree), with
 * paths relative to the workspace folder so both sides name files alike.
 * Only the folder itself is read, as `loadWorkspace` does.
 */
export function filesAt(root: string, rev: string, wsPath: string): SourceFile[] {
  if (rev === WORKTREE) {
    const dir = join(root, wsPath);
    let names: string[];
    try {
      names = readdirSync(dir).filter((f) => YAML.test(f) && statSync(join(dir, f)).isFile());
    } catch {
      return [];
    }
    return names.sort().map((f) => ({ path: f, text: readFileSync(join(dir, f), "utf8") }));
  }
  const prefix = wsPath ? `${wsPath}/` : "";
  const listing = git(root, ["ls-tree", "--name-only", rev, "--", prefix || "."]);
  const out: SourceFile[] = [];
  for (const full of listing.split("\n").filter(Boolean).sort()) {
    const name = full.slice(prefix.length);
    if (!YAML.test(name) || name.includes("/")) continue;
    out.push({ path: name, text: git(root, ["show", `${rev}:${full}`]) });
  }
  return out;
}

/** A revision as the user named it and as git resolved it. */
export interface Revision {
  name: string;
  /** null for the working tree. */
  sha: string | null;
}

/**
 * The two sides to compare: `[]` → merge-base of HEAD with the default branch
 * vs the working tree; `[BASE]` → BASE vs the working tree; `[BASE, HEAD]`.
 */
export function resolveRevisions(root: string, args: string[]): { base: Revision; head: Revision } {
  const head: Revision = args[1] ? { name: args[1], sha: revSha(root, args[1]) } : { name: WORKTREE, sha: null };
  if (args[0]) return { base: { name: args[0], sha: revSha(root, args[0]) }, head };
  const branch = defaultBranch(root);
  const sha = mergeBase(root, branch, "HEAD");
  return { base: { name: `merge-base(${branch}, HEAD)`, sha }, head };
}
