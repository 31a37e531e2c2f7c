/**
 * Sharded runs (`run`/`simulate --shard i/N`, docs/sharding.md): which customers a shard decides.
 *
 * A customer belongs to shard `1 + (h mod N)`, where `h` is the first four bytes, big-endian, of
 * the MD5 of `"__shard" + customer_id` (its UTF-8 bytes). MD5 and not the holdout's FNV-1a: every
 * SQL engine computes MD5 natively (DuckDB, PostgreSQL, ClickHouse, BigQuery, Spark), so a
 * shard is a WHERE the database can run, and a user can count a shard's customers in their own
 * warehouse; the salt keeps shard membership independent of holdouts (FNV, other salts) and of
 * any MD5 of the bare id a team already uses for sampling. `shardOf` (JS) and `shardSql`
 * (DuckDB) agree on every id: test/engine/shard.test.ts.
 */
import { createHash } from "node:crypto";

/** Shard `index` of `count` (1-based). */
export interface Shard {
  index: number;
  count: number;
}

/** The salt prefixed to the id before hashing. */
export const SHARD_SALT = "__shard";

/** The most shards a run may be split into. */
export const MAX_SHARDS = 10_000;

/** `i/N` as written on the command line, in the state file and in a shard log. */
export function shardLabel(s: Shard): string {
  return `${s.index}/${s.count}`;
}

/** Parses `i/N` (1 ≤ i ≤ N ≤ 10 000); a message saying what is wrong otherwise. */
export function parseShard(text: string): Shard | string {
  const m = /^(\d{1,5})\/(\d{1,5})$/.exec(text.trim());
  if (!m) return `--shard must be i/N (shard i of N, e.g. 1/4), not "${text}"`;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) return `--shard ${text}: N must be between 1 and ${MAX_SHARDS}`;
  if (index < 1 || index > count) return `--shard ${text}: i must be between 1 and ${count} (shards are numbered from 1)`;
  return { index, count };
}

/** The shard (1-based) of a customer id among `count`. */
export function shardOf(customerId: string, count: number): number {
  return 1 + (createHash("md5").update(SHARD_SALT + customerId, "utf8").digest().readUInt32BE(0) % count);
}

/** `shardOf` in DuckDB SQL over a VARCHAR expression. */
export function shardSql(idSql: string, count: number): string {
  return `(1 + CAST(('0x' || left(md5('${SHARD_SALT}' || ${idSql}), 8)) AS UBIGINT) % ${count})`;
}

/** The same in ClickHouse: the MD5's first four bytes read big-endian. */
export function shardSqlClickHouse(idSql: string, count: number): string {
  return `(1 + reinterpretAsUInt32(reverse(substring(MD5(concat('${SHARD_SALT}', ${idSql})), 1, 4))) % ${count})`;
}

/** `shard 2/4: 251 of 1000 customers` for stderr. */
export function shardSummary(s: Shard, decided: number, total: number): string {
  return `shard ${shardLabel(s)}: ${decided} of ${total} customers decided here (rows above are the whole data's, checked by every shard)\n`;
}

/**
 * Why a state file cannot be used by a run of `shard` (null when it can): a state holds the
 * customers of one split, so a run of another shard, another N or no shard would decide
 * customers without their history (or forget those of the other shards).
 */
export function stateShardMismatch(path: string, stored: string | null, lastAt: number | null, shard: Shard | null): string | null {
  const want = shard ? shardLabel(shard) : null;
  if (lastAt === null || stored === want) return null;
  if (stored === null) return `--state ${path} holds every customer (written without --shard); --shard ${want} needs a state of its own per shard, e.g. state-${shard!.index}-of-${shard!.count}.duckdb`;
  if (want === null) return `--state ${path} holds shard ${stored} only; run it with --shard ${stored}`;
  return `--state ${path} holds shard ${stored}, not ${want}; give each shard its own state file`;
}
