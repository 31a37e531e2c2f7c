/**
 * Holdout assignment (contract.md, "Holdout assignment"): GrowthBook's hash v2,
 * FNV-1a 32-bit over UTF-16 code units applied twice. The engine assigns with
 * it; experiments/ re-exports it for the global-holdout line of the report and
 * the demo's tampering tests (imports flow experiments → engine, never back).
 */

/** FNV-1a 32-bit over the string's UTF-16 code units, as GrowthBook's `hashFnv32a`. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The bucket in [0, 1) of a customer for a salt: `fnv1a32(String(fnv1a32(salt + id))) % 10000 / 10000`. */
export function holdoutBucket(salt: string, customerId: string): number {
  return (fnv1a32(String(fnv1a32(salt + customerId))) % 10000) / 10000;
}

/** True when the customer is held out at share `holdout` (a fraction) under `salt`. */
export function isHeldOut(salt: string, customerId: string, holdout: number): boolean {
  return holdoutBucket(salt, customerId) < holdout;
}

/** The salt of the workspace-wide holdout. */
export const GLOBAL_SALT = "__global";
