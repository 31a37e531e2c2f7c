/**
 * Git plumbing for `playbook diff`: which revisions to compare and the
 * workspace's files at each. Files at a revision are read with
 * `git ls-tree` + `git show REV:path`, never by checking anything out, so the
 * user's working tree and index are untouched. The working tree is read from
 * disk (including files not yet added to git).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix, relative, resolve, sep } from "node:path";
import type { SourceFile } from "../../language/ast.ts";
import { parseAllDocuments } from "yaml";
import { SECTIONS } from "../../language/workspace.ts";
import { TEST_FILE } from "../../language/test-files.ts";

/** The working tree, as a revision name. */
export const WORKTREE = "WORKTREE";

/** A failed git call, with git's own message (shown to the user as is). */
export class GitError extends Error {}

/**
 * No folder of playbook YAML at either revision: a diff over nothing must not
 * read as "no change" (exit 2, like git trouble).
 */
export class NoWorkspaceError extends Error {}

function git(cwd: string, args: string[], input?: string): string {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", input, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"], maxBuffer: 256 << 20 });
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
/** A playbook file of the workspace: YAML, not a test file (`*.test.yaml`, language/test-files.ts). */
const playbookFile = (name: string) => YAML.test(name) && !TEST_FILE.test(name);

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
      names = readdirSync(dir).filter((f) => playbookFile(f) && statSync(join(dir, f)).isFile());
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
    if (!playbookFile(name) || name.includes("/")) continue;
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

/** A top-level key of a playbook file at the start of a line: how a playbook YAML file is told from other YAML (CI configs, compose files). */
const SECTION_LINE = new RegExp(`^(?:${SECTIONS.join("|")})\\s*:`, "m");

/**
 * Is this text a playbook file? When it parses as YAML: a map whose top-level
 * keys are all playbook sections (a Kubernetes Role has `rules:` too, beside
 * `kind:`). When it does not parse (a change that breaks a playbook still
 * deserves a diff): a section key at the start of a line.
 */
export function isPlaybookText(text: string): boolean {
  let docs: unknown[];
  try {
    const parsed = parseAllDocuments(text);
    if (!Array.isArray(parsed) || parsed.some((d) => d.errors.length)) return SECTION_LINE.test(text);
    docs = parsed.map((d) => d.toJS({ maxAliasCount: 100 }) as unknown);
  } catch {
    return SECTION_LINE.test(text);
  }
  const sections = new Set<string>(SECTIONS);
  return docs.some((d) => !!d && typeof d === "object" && !Array.isArray(d) && Object.keys(d).length > 0 && Object.keys(d).every((k) => sections.has(k)));
}

/**
 * Every YAML file under `scope` (a repository path, "" for the root) at a
 * revision, path from the root → blob id. The working tree counts tracked and
 * untracked files that git does not ignore, as they are on disk.
 */
export function yamlBlobs(root: string, rev: string, scope: string): Map<string, string> {
  const out = new Map<string, string>();
  if (rev === WORKTREE) {
    const listed = git(root, ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", scope || "."]).split("\0");
    const paths = [...new Set(listed)].filter((p) => p && YAML.test(p) && existsSync(join(root, p)) && statSync(join(root, p)).isFile()).sort();
    if (!paths.length) return out;
    const shas = git(root, ["hash-object", "--stdin-paths"], paths.join("\n") + "\n").trim().split("\n");
    paths.forEach((p, i) => out.set(p, shas[i]!));
    return out;
  }
  for (const line of git(root, ["ls-tree", "-r", "-z", rev, "--", scope || "."]).split("\0")) {
    const m = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(line);
    if (m && YAML.test(m[2]!)) out.set(m[2]!, m[1]!);
  }
  return out;
}

/** The texts of many blobs in one `git cat-file --batch` call (a repository may hold hundreds of YAML files). */
function blobTexts(root: string, shas: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const want = [...new Set(shas)];
  if (!want.length) return out;
  let buf: Buffer;
  try {
    buf = execFileSync("git", ["cat-file", "--batch"], { cwd: root, input: want.join("\n") + "\n", stdio: ["pipe", "pipe", "pipe"], maxBuffer: 1 << 30 });
  } catch (e) {
    throw new GitError(((e as { stderr?: Buffer }).stderr?.toString() || (e as Error).message).trim().split("\n")[0] ?? "git failed");
  }
  let at = 0;
  while (at < buf.length) {
    const nl = buf.indexOf(10, at);
    const [sha, type, size] = buf.subarray(at, nl).toString().split(" ");
    if (type !== "blob") {
      at = nl + 1;
      continue;
    }
    const n = Number(size);
    out.set(sha!, buf.subarray(nl + 1, nl + 1 + n).toString("utf8"));
    at = nl + 1 + n + 1;
  }
  return out;
}

/**
 * The workspaces a change touches, for a diff run without `--dir`: folders
 * under `scope` holding playbook YAML (a file with a top-level section) at
 * either revision, whose own YAML files differ between the two. When the
 * change touches none, every playbook folder under `scope` (they all have no
 * change, which is then true). Empty: there is no playbook YAML under `scope`
 * at either revision.
 */
export function workspacesAt(root: string, base: string, head: string, scope: string): { touched: string[]; all: string[] } {
  const sides = [yamlBlobs(root, base, scope), yamlBlobs(root, head, scope)] as const;
  const folders = new Map<string, [Map<string, string>, Map<string, string>]>();
  sides.forEach((files, i) => {
    for (const [path, sha] of files) {
      const dir = posix.dirname(path) === "." ? "" : posix.dirname(path);
      if (!folders.has(dir)) folders.set(dir, [new Map(), new Map()]);
      folders.get(dir)![i]!.set(path, sha);
    }
  });
  const revs = [base, head];
  const texts = blobTexts(root, revs.flatMap((r, i) => (r === WORKTREE ? [] : [...sides[i]!.values()])));
  const textAt = (i: number, path: string) => (revs[i] === WORKTREE ? readFileSync(join(root, path), "utf8") : texts.get(sides[i]!.get(path)!) ?? "");
  const isWorkspace = ([a, b]: [Map<string, string>, Map<string, string>]) =>
    [a, b].some((files, i) => [...files.keys()].some((p) => isPlaybookText(textAt(i, p))));
  const same = (a: Map<string, string>, b: Map<string, string>) => a.size === b.size && [...a].every(([p, s]) => b.get(p) === s);
  const all: string[] = [], touched: string[] = [];
  for (const dir of [...folders.keys()].sort()) {
    const pair = folders.get(dir)!;
    if (!isWorkspace(pair)) continue;
    all.push(dir);
    if (!same(pair[0], pair[1])) touched.push(dir);
  }
  return { touched, all };
}

/** Does the folder hold playbook YAML at this revision? */
export function holdsPlaybooks(root: string, rev: string, wsPath: string): boolean {
  return filesAt(root, rev, wsPath).some((f) => isPlaybookText(f.text));
}
