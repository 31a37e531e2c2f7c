#!/usr/bin/env node
// `npm run build`, and npm's `prepare` (so `npm ci` builds it): bundles the
// TypeScript sources of the command line into plain ES modules under
// dist/cli/, so `playbook` starts without tsx transpiling at every start
// (0.5–1.2 s before; `npm run bench -- startup` measures it).
//
// - ESM with code splitting: every `import()` of cli/main.ts (one per command)
//   stays a separate chunk, so `playbook check` loads neither DuckDB nor React.
// - Our sources and the pure-JS packages (yaml, json-logic-js, …) are bundled:
//   Node then resolves a dozen files, not hundreds (yaml alone took 60–90 ms).
//   External (EXTERNAL below): DuckDB's native package, and ink/react (the TUI
//   only; ink's optional devtools import cannot be resolved).
// - The output sits two folders below the repository root (dist/cli/), the same
//   depth as the sources that find files from `import.meta.url`
//   (experiments/demo/index.ts: "../../playbooks/shop"), so those paths resolve
//   the same from the bundle. A source gaining an `import.meta.url` or
//   `__dirname` use not listed in RELATIVE_OK below is reported, so a new one is
//   looked at before it ships broken.
// - Such a use, and any esbuild warning, is printed; with --strict (the test,
//   so CI) it fails the build. Without it (npm ci's prepare) the bundle is still
//   written: a newcomer's install must not break on a warning.
//
// `node bin/build.js [--strict] [OUTDIR]` builds elsewhere (the test builds into a temp dir).
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const strict = args.includes("--strict");
const outArg = args.find((a) => !a.startsWith("--"));
const outdir = resolve(outArg ?? join(root, "dist", "cli"));
let warned = 0;

/**
 * Sources that use import.meta.url / __dirname, each checked to work from dist/cli/:
 * the value → why it still resolves.
 */
const RELATIVE_OK = {
  "cli/help-doc.ts": "only as a script run through tsx (npx tsx cli/help-doc.ts); its main-module test is false in the bundle",
  "cli/start.ts": "main-module test only; bin/start.js calls start() itself",
  "language/chevrotain.ts": "createRequire(import.meta.url).resolve: node_modules is found from any folder of the repository",
  "experiments/stats/dist.ts": "createRequire(import.meta.url): as above",
  "language/text-table-gen.ts": "only as a script run through tsx; it writes language/text-table.ts and is not imported by the CLI",
  "experiments/demo/index.ts": "../../playbooks/shop: dist/cli/ is two folders deep, as experiments/demo/ is",
};

function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

const unchecked = [];
for (const top of ["cli", "engine", "language", "experiments"]) {
  for (const file of sources(join(root, top))) {
    const rel = relative(root, file).split("\\").join("/");
    if (/import\.meta\.(url|dirname|filename)|__dirname|__filename/.test(readFileSync(file, "utf8")) && !(rel in RELATIVE_OK)) unchecked.push(rel);
  }
}
if (unchecked.length) {
  console.error(`bin/build.js: warning: ${unchecked.join(", ")} find files from import.meta.url/__dirname; check the path resolves from dist/cli/ and list it in RELATIVE_OK`);
  warned++;
}

/** Left to Node at run time: native code, and what is only imported on paths a command never takes. */
const EXTERNAL = ["@duckdb/*", "ink", "react", "react/*", "pg", "pg-*", "@clickhouse/*", "chdb"];

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: "cli/main.ts", start: "cli/start.ts" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: EXTERNAL,
  jsx: "automatic",
  // Bundled CommonJS packages (yaml's Node build, json-logic-js) call require() for Node's own
  // modules; an ES module has no require, so each chunk gets one.
  banner: { js: 'import { createRequire as __pbCreateRequire } from "node:module"; const require = __pbCreateRequire(import.meta.url);' },
  sourcemap: "linked",
  logLevel: "silent",
});
for (const w of result.warnings) console.error(`bin/build.js: warning: ${w.text}${w.location ? ` (${w.location.file}:${w.location.line})` : ""}`);
warned += result.warnings.length;
// A stamp the launcher and the test read: which sources the bundle was built from.
writeFileSync(join(outdir, "built.json"), JSON.stringify({ built: new Date().toISOString() }) + "\n");
if (!process.env.PLAYBOOK_BUILD_QUIET) console.error(`built ${relative(process.cwd(), outdir) || "."}/main.js`);
if (warned && strict) process.exit(1);
