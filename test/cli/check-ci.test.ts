/**
 * `playbook check --format sarif|github`: the CI forms of the diagnostics
 * (language/render-ci.ts), pinned by goldens in test/cli/golden/ and checked
 * against the text form so no diagnostic is lost or moved.
 */
import { describe, expect, it } from "vitest";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../cli/main.ts";
import { memoryIO } from "../../cli/io.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const GOLDEN = join(ROOT, "test/cli/golden");
const TIE = "test/language/gallery/priority-tie";

async function check(args: string[], cwd = ROOT) {
  const io = memoryIO(cwd);
  const code = await main(["check", ...args], io);
  return { code, out: io.out, err: io.err };
}

function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, "utf8"));
}

/** `file:line:col: severity CODE` of every diagnostic of the json form, in order. */
async function places(dir: string): Promise<string[]> {
  const doc = JSON.parse((await check(["--format", "json", dir])).out);
  return doc.diagnostics.map((d: { file: string; line: number; col: number; severity: string; code: string }) => `${d.file}:${d.line}:${d.col}: ${d.severity} ${d.code}`);
}

describe("check --format sarif", () => {
  it("is SARIF 2.1.0 with one result per diagnostic: ruleId the PB code, level from severity, file/line/col (golden)", async () => {
    const r = await check(["--format", "sarif", TIE]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("");
    expect(r.out.endsWith("}\n")).toBe(true);
    expect(r.out.split("\n")).toHaveLength(2);
    const log = JSON.parse(r.out);
    expect(log.version).toBe("2.1.0");
    expect(log.$schema).toBe("https://json.schemastore.org/sarif-2.1.0.json");
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0];
    const ids = run.tool.driver.rules.map((x: { id: string }) => x.id);
    expect(ids).toEqual(["PB304", "PB311", "PB312", "PB313"]);
    const got = run.results.map(
      (x: { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }) => {
        expect(ids[x.ruleIndex]).toBe(x.ruleId);
        const p = x.locations[0]!.physicalLocation;
        return `${p.artifactLocation.uri}:${p.region.startLine}:${p.region.startColumn}: ${x.level} ${x.ruleId}`;
      },
    );
    expect(got).toEqual(await places(TIE));
    expect(got[2]).toBe(`${TIE}/rules.yaml:7:30: error PB304`);
    expect(run.results[2].relatedLocations).toHaveLength(2);
    golden("check-priority-tie.sarif.json", JSON.stringify(log, null, 2) + "\n");
  });

  it("a warnings-only workspace exits 0; its results are all level warning", async () => {
    const r = await check(["--format", "sarif", "playbooks/shop"]);
    expect(r.code).toBe(0);
    const results = JSON.parse(r.out).runs[0].results;
    expect(results.length).toBeGreaterThan(0);
    expect(new Set(results.map((x: { level: string }) => x.level))).toEqual(new Set(["warning"]));
    expect(results.map((x: { ruleId: string }) => x.ruleId)).toContain("PB303");
  });

  it("a diagnostic without a place (PB000) is a result without locations", async () => {
    const r = await check(["--format", "sarif", "no/such/folder"]);
    expect(r.code).toBe(1);
    const [result] = JSON.parse(r.out).runs[0].results;
    expect(result).toEqual({ ruleId: "PB000", ruleIndex: 0, level: "error", message: { text: "no such folder: no/such/folder" } });
  });

  it("a clean workspace is a log with no results", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pb-sarif-"));
    try {
      writeFileSync(join(dir, "schema.yaml"), "schema:\n  customer:\n    registered_at: datetime\n  events:\n    app_open: {}\n");
      const r = await check(["--format", "sarif", "."], dir);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out).runs[0]).toMatchObject({ results: [], tool: { driver: { name: "playbook", rules: [] } } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("check --format github", () => {
  it("prints one workflow command per diagnostic, then the summary line (golden)", async () => {
    const r = await check(["--format", "github", TIE]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("");
    const lines = r.out.trimEnd().split("\n");
    expect(lines.at(-1)).toBe("1 error, 4 warnings");
    const cmds = lines.slice(0, -1);
    expect(cmds.every((l) => /^::(error|warning) file=[^,]+,line=\d+,col=\d+,endLine=\d+(,endColumn=\d+)?,title=PB\d{3} [a-z-]+::\S/.test(l))).toBe(true);
    const got = cmds.map((l) => {
      const m = /^::(\w+) file=([^,]+),line=(\d+),col=(\d+),.*title=(PB\d+) /.exec(l)!;
      return `${m[2]}:${m[3]}:${m[4]}: ${m[1]} ${m[5]}`;
    });
    expect(got).toEqual(await places(TIE));
    expect(cmds[2]).toBe(
      `::error file=${TIE}/rules.yaml,line=7,col=30,endLine=7,endColumn=69,title=PB304 never-holds::the trigger filter of rule "cart_nudge" can never hold: "cart_value >= 1000" and "cart_value < 500" cannot both be true%0Ahint: this rule would never fire%0Anote: "cart_value >= 1000" (${TIE}/rules.yaml:7:30)%0Anote: "cart_value < 500" (${TIE}/rules.yaml:7:53)`,
    );
    golden("check-priority-tie.github.txt", r.out);
  });

  it("escapes % in the message and , : % in properties as the runner expects", async () => {
    const r = await check(["--format", "github", TIE]);
    expect(r.out).toContain("::the holdout of \"cart_reminder\" is 0.5%25: unusually small");
    const dir = mkdtempSync(join(tmpdir(), "pb-gh-"));
    try {
      const odd = "we,ird:100%";
      mkdirSync(join(dir, odd));
      cpSync(join(ROOT, "test/language/gallery/unknown-name"), join(dir, odd), { recursive: true });
      const o = await check(["--format", "github", odd], dir);
      expect(o.code).toBe(1);
      expect(o.out).toMatch(/^::error file=we%2Cird%3A100%25\/rules\.yaml,line=\d+,col=\d+,/m);
      expect(o.out).toContain("title=PB101 unknown-name::unknown name \"frist_name\"");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a diagnostic without a place has only a title", async () => {
    const r = await check(["--format", "github", "no/such/folder"]);
    expect(r.out).toBe("::error title=PB000 empty-workspace::no such folder: no/such/folder\n1 error, 0 warnings\n");
  });

  it("an unknown format is a usage error naming the four", async () => {
    const io = memoryIO(ROOT);
    expect(await main(["check", "--format", "xml", TIE], io)).toBe(2);
    expect(io.err).toContain("--format must be text, json, sarif or github");
  });
});
