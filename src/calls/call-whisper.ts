import { withTimeout } from '../shared/with-timeout';
import type { CallStore } from './call-store';
import { DEFAULT_WHISPER } from './domain/routing';
import { describeSource, whisperText, type SourceFacts } from './domain/whisper';

/** The agent's phone is ringing: the source is looked up for at most this long, then a default is said. */
const LOOKUP_BUDGET_MS = 500;
const CONTEXT_TTL_MS = 15 * 60_000;
const MAX_CONTEXTS = 10_000;

/**
 * The whisper an answering agent hears. The voice webhook leaves the pool's template (and a static
 * source) here in memory; the whisper request, seconds later, reads the credited visit's source from
 * Postgres within a small budget. Anything missing falls back to "Call from your website": a whisper
 * must never keep the agent from being put through.
 */
export class CallWhisper {
  private readonly contexts = new Map<string, { template: string; staticSource: string | null; expiresAt: number }>();

  constructor(
    private readonly calls: CallStore,
    /** Writes visits still waiting in the pool's event log (a call seconds after the visit can beat the batch). */
    private readonly persistPendingVisits: () => Promise<void> = async () => undefined,
  ) {}

  remember(callSid: string, template: string, staticSource: string | null, now: number): void {
    if (this.contexts.size >= MAX_CONTEXTS) {
      for (const [sid, c] of this.contexts) if (c.expiresAt <= now || this.contexts.size >= MAX_CONTEXTS) this.contexts.delete(sid);
    }
    this.contexts.set(callSid, { template, staticSource, expiresAt: now + CONTEXT_TTL_MS });
  }

  async text(callSid: string, now: number): Promise<string> {
    const ctx = this.contexts.get(callSid);
    const live = ctx && ctx.expiresAt > now ? ctx : undefined;
    let facts: SourceFacts | null = null;
    try {
      facts = await withTimeout(this.lookUp(callSid), LOOKUP_BUDGET_MS, 'whisper source lookup');
    } catch {
      // Postgres slow or down: say what memory knows.
    }
    if (!facts?.source && !facts?.staticSource && live?.staticSource) facts = { source: null, medium: null, staticSource: live.staticSource };
    return whisperText(live?.template ?? DEFAULT_WHISPER, describeSource(facts));
  }

  private async lookUp(callSid: string): Promise<SourceFacts | null> {
    const found = await this.calls.findSourceOf(callSid);
    if (!found?.visitId || found.source) return found;
    // Credited to a visit whose details are not in Postgres yet: write them now and ask again.
    await this.persistPendingVisits();
    return this.calls.findSourceOf(callSid);
  }
}
