const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The shop-local calendar day (YYYY-MM-DD) of an instant, e.g. for the daily conversion limit:
 * 2024-03-31T15:00:00Z is already 2024-04-01 in Asia/Tokyo.
 */
export function shopLocalDate(instant: Date, timeZone: string): string {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    // Throws RangeError for an unknown time zone, which is a configuration error.
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  const parts = formatter.formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => {
    const value = parts.find((candidate) => candidate.type === type)?.value;
    if (value === undefined) throw new Error(`Could not format the ${type} of ${instant.toISOString()}`);
    return value;
  };
  return `${part("year")}-${part("month")}-${part("day")}`;
}
