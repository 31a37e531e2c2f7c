// Shared by bin/playbook.js and bin/start.js: loads an entry point of the
// command line from the bundle bin/build.js writes (dist/cli/, built by
// `npm ci` through our `prepare` script) when it is there and up to date, and
// falls back to the TypeScript sources through tsx's loader otherwise — a clone
// without a build, a bundle older than a source someone edited, or
// PLAYBOOK_BUNDLE=0. The fallback is the same program, only 0.5–1.2 s slower
// to start (tsx transpiles at every start); `npm run build` makes it fast again.
//
// PLAYBOOK_DIST=DIR runs the bundle in DIR instead of dist/cli (the test builds
// one into a temp folder); PLAYBOOK_DEBUG=1 says on stderr which one runs.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The source folders the bundle is built from (bin/build.js). */
const SOURCES = ["cli", "engine", "language", "experiments"];

/** The newest modification time of any source file, in ms (a few hundred stats: about 2 ms). */
function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts") || e.name.endsWith(".tsx")) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const s of SOURCES) if (existsSync(join(root, s))) walk(join(root, s));
  return newest;
}

/**
 * Imports `cli/<name>.ts` (bundled as `<dist>/<name>.js`) and returns the module.
 * @param {"main" | "start"} name
 */
export async function loadEntry(name) {
  // A larger young generation: a run allocates millions of short-lived objects
  // (events, decisions), and with V8's default 16 MB semi-space the scavenger
  // ran for a quarter of a 90-day simulation. Measured in bench/engine.bench.ts
  // (which runs with the same setting).
  setFlagsFromString("--max-semi-space-size=64");
  const dist = process.env.PLAYBOOK_DIST ? resolve(process.env.PLAYBOOK_DIST) : join(root, "dist", "cli");
  const bundle = join(dist, `${name}.js`);
  const stamp = join(dist, "built.json");
  let why = "";
  if (process.env.PLAYBOOK_BUNDLE === "0") why = "PLAYBOOK_BUNDLE=0";
  else if (!existsSync(bundle) || !existsSync(stamp)) why = "no bundle (npm run build makes one)";
  else if (statSync(stamp).mtimeMs < newestSource()) why = "the bundle is older than the sources (npm run build)";
  if (!why) {
    if (process.env.PLAYBOOK_DEBUG) process.stderr.write(`playbook: running the bundle ${relative(process.cwd(), bundle)}\n`);
    return import(pathToFileURL(bundle).href);
  }
  if (process.env.PLAYBOOK_DEBUG) process.stderr.write(`playbook: running the sources through tsx: ${why}\n`);
  const { register } = await import("tsx/esm/api");
  register();
  return import(pathToFileURL(join(root, "cli", `${name}.ts`)).href);
}
