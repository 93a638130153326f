import type { Member, MemberDirectory } from "./ports";

export interface InMemoryMemberDirectoryOptions {
  /** How long a member is remembered; rank and status shown may lag the POS by this much. */
  ttlMs?: number;
  /** Oldest entries are dropped beyond this many, so a warm Lambda's memory stays bounded. */
  maxEntries?: number;
  now?: () => number;
}

/** Per-process member cache: a Map in insertion order used as a small LRU with expiry. */
export class InMemoryMemberDirectory implements MemberDirectory {
  private readonly entries = new Map<string, { member: Member; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: InMemoryMemberDirectoryOptions = {}) {
    this.ttlMs = options.ttlMs ?? 6 * 60 * 60 * 1000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async get(memberNumber: string): Promise<Member | undefined> {
    const entry = this.entries.get(memberNumber);
    if (!entry) return undefined;
    this.entries.delete(memberNumber);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(memberNumber, entry);
    return { ...entry.member };
  }

  async set(member: Member): Promise<void> {
    this.entries.delete(member.memberNumber);
    this.entries.set(member.memberNumber, { member: { ...member }, expiresAt: this.now() + this.ttlMs });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }
}
