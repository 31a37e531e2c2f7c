import { DuckDBInstance } from "@duckdb/node-api";
const db = await DuckDBInstance.create(":memory:"); const c = await db.connect();
const r = await c.runAndReadAll(`SELECT CAST(CAST(2.5 AS DOUBLE) AS HUGEINT)::VARCHAR a, CAST(CAST(-2.5 AS DOUBLE) AS HUGEINT)::VARCHAR b, CAST(CAST(3.5 AS DOUBLE) AS HUGEINT)::VARCHAR c,
 CAST(CAST(4951760157141521099596496897 AS HUGEINT) AS DOUBLE) d, arg_min_null(v, struct_pack(k0 := k, k1 := p)) x, arg_max_null(v, struct_pack(k0 := k, k1 := p)) y FROM (VALUES (1, 1, NULL), (2, 1, 'a')) t(v, k, p)`);
console.log(r.getRowObjects());
