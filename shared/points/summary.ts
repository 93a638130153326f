import { logger } from "../observability";
import type { PointsReader, PointTransaction } from "../pos/ports";
import { pointDivisions } from "../pos/ports";
import { shopLocalDate } from "../store/shop-date";
import {
  describeHistory,
  formatDate,
  formatPoints,
  formatRank,
  type HistoryKind,
  type Locale,
} from "./display";

/** What the customer's account page shows about their store points. */
export interface PointsSummary {
  customerId: string;
  memberNumber: string;
  balance: number;
  expiresOn: string | null;
  rank: string | null;
  display: { balance: string; expiresOn: string | null; rank: string };
  /** Recent point movements, newest first; null when the POS history could not be read. */
  history: HistoryEntry[] | null;
}

export interface HistoryEntry {
  date: string;
  description: string;
  points: number;
  kind: HistoryKind;
}

export interface SummaryOptions {
  locale: Locale;
  timeZone: string;
  historyDays: number;
  historyLimit: number;
  now?: Date;
}

const kindOf = (division: string): HistoryKind => {
  switch (division) {
    case pointDivisions.sale:
      return "purchase";
    case pointDivisions.pointsAdded:
      return "added";
    case pointDivisions.pointsSubtracted:
      return "used";
    case pointDivisions.pointsExpired:
      return "expired";
    default:
      return "other";
  }
};

const localDate = (iso: string, timeZone: string) => shopLocalDate(new Date(iso), timeZone);

/**
 * Reads the balance and the history side by side (one POS round trip once the member is known).
 * History is secondary: when only it fails, the balance is still shown.
 */
export async function getPointsSummary(
  ledger: PointsReader,
  customer: { customerId: string },
  options: SummaryOptions,
): Promise<PointsSummary> {
  const member = await ledger.findMember(customer.customerId);
  const now = options.now ?? new Date();
  const since = new Date(now.getTime() - options.historyDays * 24 * 60 * 60 * 1000);
  const [balance, history] = await Promise.all([
    ledger.getBalance(member.customerId),
    readHistory(ledger, member.customerId, since, now, options.historyLimit),
  ]);
  return {
    customerId: customer.customerId,
    memberNumber: member.memberNumber,
    balance: balance.points,
    expiresOn: balance.expiresOn,
    rank: member.rank,
    display: {
      balance: formatPoints(balance.points, options.locale),
      expiresOn: balance.expiresOn ? formatDate(balance.expiresOn, options.locale) : null,
      rank: formatRank(member.rank, options.locale),
    },
    history:
      history?.map((tx) => ({
        date: localDate(tx.at, options.timeZone),
        description: describeHistory(kindOf(tx.division), options.locale),
        points: tx.points,
        kind: kindOf(tx.division),
      })) ?? null,
  };
}

async function readHistory(
  ledger: PointsReader,
  posCustomerId: string,
  since: Date,
  until: Date,
  limit: number,
): Promise<PointTransaction[] | null> {
  try {
    const transactions = await ledger.listPointTransactions(posCustomerId, { since, until, limit });
    return transactions.filter((tx) => tx.points !== 0).slice(0, limit);
  } catch (error) {
    logger.warn("point history unavailable", { error: error instanceof Error ? error.name : String(error) });
    return null;
  }
}
