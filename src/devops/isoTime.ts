/**
 * One ISO form (milliseconds, `Z`) for every time: Azure DevOps sends 7 fractional digits or none,
 * and stored times are compared as strings (the `since` filter, the watermark).
 */
export function isoTime(value: string | undefined): string | undefined {
  const ms = value ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}
