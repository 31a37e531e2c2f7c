/**
 * Sample-ratio mismatch: Pearson's chi-square goodness of fit of the observed
 * group sizes against the configured split (Fabijan et al., "Diagnosing Sample
 * Ratio Mismatch in Online Controlled Experiments", KDD 2019, who flag at
 * p < 0.0005; we follow the p < 0.001).
 */
import { chiSquareUpper } from "./dist.ts";

/** The threshold below which an SRM is flagged. */
export const SRM_THRESHOLD = 0.001;

/**
 * p-value of observing `treatment` and `holdout` entries when a share
 * `holdoutShare` of entries is expected in the holdout. Null when the test
 * cannot be run (no entries, or a split of 0% or 100%).
 */
export function srmPValue(treatment: number, holdout: number, holdoutShare: number): number | null {
  const n = treatment + holdout;
  if (n === 0 || !(holdoutShare > 0 && holdoutShare < 1)) return null;
  const eh = n * holdoutShare;
  const et = n - eh;
  const chi2 = (holdout - eh) ** 2 / eh + (treatment - et) ** 2 / et;
  return chiSquareUpper(chi2, 1);
}
