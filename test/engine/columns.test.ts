/**
 * `Column` copies DuckDB result vectors into typed arrays and reads NULLs off
 * the validity bitmap's bytes itself: it must give exactly what the driver's
 * own `getItem` gives, cell by cell, for doubles and integers, with NULLs
 * anywhere (none, every third, runs, the last partial byte) and over many
 * chunks.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { Column } from "../../engine/runtime/columns.ts";

describe("Column", () => {
  it("equals getItem cell by cell for DOUBLE and INTEGER vectors with NULLs, over many chunks", async () => {
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    try {
      // 5000 rows: two full chunks and a partial one. NULL patterns: none, every 3rd, a run of 20, the tail.
      const res = await con.run(`SELECT
          i::DOUBLE / 7 AS d_none,
          CASE WHEN i % 3 = 0 THEN NULL ELSE i::DOUBLE * 1.5 END AS d_third,
          CASE WHEN i BETWEEN 100 AND 119 OR i > 4990 THEN NULL ELSE -i END::INTEGER AS i_runs,
          CASE WHEN i % 8 = 7 THEN NULL ELSE i END::INTEGER AS i_eighth
        FROM range(5000) t(i) ORDER BY i`);
      const cols = [new Column(), new Column(), new Column(), new Column()];
      const want: unknown[][] = [[], [], [], []];
      for (let c = 0; c < res.chunkCount; c++) {
        const chunk = res.getChunk(c);
        for (let k = 0; k < 4; k++) {
          const vec = chunk.getColumnVector(k);
          cols[k]!.append(vec, chunk.rowCount);
          for (let i = 0; i < chunk.rowCount; i++) want[k]!.push(vec.getItem(i));
        }
      }
      for (let k = 0; k < 4; k++) {
        expect(cols[k]!.length).toBe(5000);
        expect(Array.from({ length: 5000 }, (_, i) => cols[k]!.get(i))).toEqual(want[k]);
      }
      expect(want[2]![100]).toBeNull();
      expect(want[2]![4999]).toBeNull();
    } finally {
      con.closeSync();
      db.closeSync();
    }
  });
});
