/**
 * The statistics of the report, each method in its own file with its source;
 * `docs/statistics.md` explains how they are combined.
 */
export { type Moments, emptyMoments, addObservation, momentsOf, mean, variance } from "./moments.ts";
export { type GroupSummary, type DiffTest, welchTest, welchDf, pooledVariance } from "./welch.ts";
export { type RelativeLift, relativeLift, relativeLiftVariance } from "./delta.ts";
export { type Counts, type ProportionTest, scoreTest, scoreDiff, scoreRatio, holdoutNeeded, MIN_EXPECTED_CONVERSIONS } from "./proportions.ts";
export { benjaminiHochberg } from "./bh.ts";
export { COCHRAN_MIN_EXPECTED, cochranSmall, fisherExactP } from "./fisher.ts";
export { srmPValue, SRM_THRESHOLD } from "./srm.ts";
export { type CupedResult, cuped } from "./cuped.ts";
export { DEFAULT_TUNING, SEQUENTIAL_MIN_COUNT, sequentialRho, sequentialHalfWidth, sequentialPValue, sequentialBoundary, sequentialTooEarly } from "./sequential.ts";
export { DEFAULT_POWER, minimumDetectableEffect, daysToDetect, powerAt, seFromMde } from "./power.ts";
export { type RomiEstimate, romiInterval, romiShown } from "./romi.ts";
export { tTwoSidedP, tQuantile, zQuantile, normalCdf, chiSquareUpper } from "./dist.ts";
export { type CappedGroup, type CappedRevenue, DEFAULT_CAP, SKEW_RULE, capRank, capRevenue, capAt, skewness, customersForNormal, differenceSkewness, normalTrusted } from "./capping.ts";
