import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { loadScenario, viaApi, viaFileRuns, viaFiles, viaReference, viaRun, viaRunLogs, viaRunSettled, viaSimulate, withSchedule } from "./runner.ts";

const dir = import.meta.dirname;
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();

describe.each(files)("scenario %s", (file) => {
  const s = loadScenario(join(dir, file));
  it(`${s.name}: simulate gives the expected log`, () => {
    expect(viaSimulate(s)).toEqual(s.expect);
  });
  it(`${s.name}: the checker and the reference evaluator give the same log`, async () => {
    const r = await viaReference(s);
    expect(r.errors).toEqual([]);
    expect(r.log).toEqual(s.expect);
  });
  it(`${s.name}: the compiled closures (engine/compile/closure.ts) give the same log`, async () => {
    expect((await viaReference(s, "closure")).log).toEqual(s.expect);
  });
  it.skipIf(!!s.skip?.run)(`${s.name}: run (state carried between runs) gives the same log`, () => {
    expect(viaRun(s)).toEqual(s.expect);
  });
  it.skipIf(!!s.skip?.run)(`${s.name}: data files and the DuckDB state file give the same log`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "pb-scenario-"));
    try {
      expect(await viaFiles(s, dir)).toEqual(s.expect);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it.skipIf(!s.run_logs)(`${s.name}: each run's own log (run --state), and settled they give the expected log`, async () => {
    const logs = viaRunLogs(s);
    expect(logs).toEqual(s.run_logs);
    const dir = mkdtempSync(join(tmpdir(), "pb-scenario-"));
    try {
      expect(await viaFileRuns(s, dir, true)).toEqual(s.run_logs);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(viaRunSettled(s)).toEqual(s.expect);
  });
  it.each(s.schedules ?? [])(`${s.name}: run --state %s gives the same log`, (schedule) => {
    const r = withSchedule(s, schedule);
    expect(viaRun(r)).toEqual(s.expect);
    expect(viaRunSettled(r)).toEqual(s.expect);
  });
  it.skipIf(!!s.skip?.api)(`${s.name}: the API gives the same decisions`, () => {
    expect(viaApi(s).sort()).toEqual([...s.expect].sort());
  });
});
