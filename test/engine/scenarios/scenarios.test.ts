import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadScenario, viaApi, viaRun, viaSimulate } from "./runner.ts";

const dir = import.meta.dirname;
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();

describe.each(files)("scenario %s", (file) => {
  const s = loadScenario(join(dir, file));
  it(`${s.name}: simulate gives the expected log`, () => {
    expect(viaSimulate(s)).toEqual(s.expect);
  });
  it.skipIf(!!s.skip?.run)(`${s.name}: run (state carried between runs) gives the same log`, () => {
    expect(viaRun(s)).toEqual(s.expect);
  });
  it.skipIf(!!s.skip?.api)(`${s.name}: the API gives the same decisions`, () => {
    expect(viaApi(s).sort()).toEqual([...s.expect].sort());
  });
});
