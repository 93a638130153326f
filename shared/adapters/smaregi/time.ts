/**
 * Smaregi writes timestamps as `YYYY-MM-DDThh:mm:ssTZD` in Japan time and dates as `YYYY-MM-DD`.
 * Japan has no daylight saving time, so a fixed +09:00 offset is exact.
 */
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** `2024-05-01T21:30:00+09:00` for the given instant. */
export function toSmaregiDateTime(at: Date): string {
  return `${new Date(at.getTime() + JST_OFFSET_MS).toISOString().slice(0, 19)}+09:00`;
}

/** The calendar date in Japan (`YYYY-MM-DD`), the unit Smaregi uses for point expiry. */
export function toJapanDate(at: Date): string {
  return new Date(at.getTime() + JST_OFFSET_MS).toISOString().slice(0, 10);
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The transaction list needs a date range of at most 31 days (Smaregi's gettransactions reference)
 * without saying how it counts them (whole days, inclusive ends, 31 x 24 h?), so every window the
 * client asks for is at most 30 x 24 h.
 */
export const TRANSACTION_WINDOW_MS = 30 * DAY_MS;
/** How many windows one history query walks at most, to bound the POS calls. */
export const MAX_TRANSACTION_WINDOWS = 12;
/** The longest history one query can read completely: 12 windows of 30 days. */
export const MAX_HISTORY_DAYS = (MAX_TRANSACTION_WINDOWS * TRANSACTION_WINDOW_MS) / DAY_MS;
