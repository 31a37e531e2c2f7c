/**
 * Reading DuckDB result columns into JS fast. `chunk.getColumns()` converts
 * every cell through a generic visitor and tests validity with a BigInt per
 * cell; for a million rows that costs seconds. Numeric and boolean vectors
 * expose their data as typed arrays, so here a column is copied with one tight
 * loop and validity is tested on the bitmap's bytes; other types (strings)
 * fall back to `getItem`, but only for cells that are not NULL.
 */
import { DuckDBBooleanVector, DuckDBDoubleVector, DuckDBIntegerVector, DuckDBVector } from "@duckdb/node-api";

/** The validity bitmap of a vector as bytes (null: every cell is valid). Relies on the vector's documented layout. */
function validityBytes(vec: DuckDBVector): Uint8Array | null {
  const v = (vec as unknown as { validity?: { data?: BigUint64Array | null; offset?: number } }).validity;
  if (!v || !v.data || v.offset) return v && v.offset ? undefinedMarker : null;
  return new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength);
}

/** Returned for sliced vectors (offset validity): use the generic path. */
const undefinedMarker = new Uint8Array(0);

/** Appends the `n` cells of `vec` to `out` as JS values (null for NULL; BIGINT as number). */
export function appendColumn(vec: DuckDBVector, n: number, out: unknown[]): void {
  const bits = validityBytes(vec);
  if (bits !== undefinedMarker) {
    const items = (vec as unknown as { items?: Float64Array | Int32Array }).items;
    if ((vec instanceof DuckDBDoubleVector || vec instanceof DuckDBIntegerVector) && items) {
      if (bits === null) for (let i = 0; i < n; i++) out.push(items[i]);
      else for (let i = 0; i < n; i++) out.push((bits[i >> 3]! >> (i & 7)) & 1 ? items[i] : null);
      return;
    }
    const view = (vec as unknown as { dataView?: DataView }).dataView;
    if (vec instanceof DuckDBBooleanVector && view) {
      if (bits === null) for (let i = 0; i < n; i++) out.push(view.getUint8(i) !== 0);
      else for (let i = 0; i < n; i++) out.push((bits[i >> 3]! >> (i & 7)) & 1 ? view.getUint8(i) !== 0 : null);
      return;
    }
    if (!(vec instanceof DuckDBBooleanVector)) {
      if (bits === null) for (let i = 0; i < n; i++) out.push(norm(vec.getItem(i)));
      else for (let i = 0; i < n; i++) out.push((bits[i >> 3]! >> (i & 7)) & 1 ? norm(vec.getItem(i)) : null);
      return;
    }
  }
  for (let i = 0; i < n; i++) out.push(norm(vec.getItem(i)));
}

function norm(v: unknown): unknown {
  return typeof v === "bigint" ? Number(v) : v;
}

/**
 * A growable result column: numbers in a Float64Array with a null byte per
 * row (no boxed number per cell), anything else in a plain array. The kind is
 * fixed by the first vector appended.
 */
export class Column {
  private nums: Float64Array | null = null;
  private nulls: Uint8Array | null = null;
  private values: unknown[] | null = null;
  length = 0;

  append(vec: DuckDBVector, n: number): void {
    const items = (vec as unknown as { items?: Float64Array | Int32Array }).items;
    const numeric = (vec instanceof DuckDBDoubleVector || vec instanceof DuckDBIntegerVector) && items !== undefined;
    if (this.nums === null && this.values === null) {
      if (numeric) [this.nums, this.nulls] = [new Float64Array(Math.max(n, 1024)), new Uint8Array(Math.max(n, 1024))];
      else this.values = [];
    }
    if (this.values !== null || !numeric) {
      if (this.values === null) this.toGeneric();
      appendColumn(vec, n, this.values!);
      this.length = this.values!.length;
      return;
    }
    if (this.length + n > this.nums!.length) {
      const cap = Math.max(this.length + n, this.nums!.length * 2);
      const [a, b] = [new Float64Array(cap), new Uint8Array(cap)];
      a.set(this.nums!.subarray(0, this.length));
      b.set(this.nulls!.subarray(0, this.length));
      [this.nums, this.nulls] = [a, b];
    }
    const bits = validityBytes(vec);
    const [dst, nul, at] = [this.nums!, this.nulls!, this.length];
    if (bits === undefinedMarker) for (let i = 0; i < n; i++) {
      const v = vec.getItem(i);
      if (v === null) nul[at + i] = 1;
      else dst[at + i] = Number(v);
    }
    else if (bits === null) for (let i = 0; i < n; i++) dst[at + i] = items![i]!;
    else for (let i = 0; i < n; i++) {
      if ((bits[i >> 3]! >> (i & 7)) & 1) dst[at + i] = items![i]!;
      else nul[at + i] = 1;
    }
    this.length += n;
  }

  /** A column of plain JS values (rows of an engine other than DuckDB): all numbers (or null) typed, else generic. */
  static of(values: readonly unknown[]): Column {
    const c = new Column();
    if (values.every((v) => v === null || typeof v === "number")) {
      [c.nums, c.nulls] = [new Float64Array(Math.max(values.length, 1)), new Uint8Array(Math.max(values.length, 1))];
      values.forEach((v, i) => (v === null ? (c.nulls![i] = 1) : (c.nums![i] = v as number)));
    } else c.values = [...values];
    c.length = values.length;
    return c;
  }

  private toGeneric(): void {
    const out: unknown[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.nulls![i] ? null : this.nums![i]);
    this.values = out;
    this.nums = this.nulls = null;
  }

  /**
   * How the column is stored, for readers that generate straight-line code over it: numbers (with a
   * null byte per row), or a plain array of values; both null when nothing was appended.
   */
  layout(): { nums: Float64Array | null; nulls: Uint8Array | null; values: unknown[] | null } {
    return { nums: this.nums, nulls: this.nulls, values: this.values };
  }

  /** The value at row `i` (null for NULL). */
  get(i: number): unknown {
    if (this.values !== null) return this.values[i] ?? null;
    if (this.nums === null) return null;
    return this.nulls![i] ? null : this.nums[i];
  }
}
