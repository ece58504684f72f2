import { getLogger } from '../shared/logging/logger';
import type { PersonalDataCipher, SubjectKind } from './personal-data-cipher';
import type { ActiveLimit } from './privacy-request-store';
import type { SubjectLimit } from './subject';

const log = getLogger('privacy');

/**
 * Active restrictions and objections, in memory, so the visit and call paths can honour them without
 * a database read: per site, subject index -> limit ('objected' wins over 'restricted'). Reloaded by a
 * job on every instance (a change made on another instance applies within that interval) and at once
 * on the instance that made the change. A failed reload keeps the last known set.
 */
export class SubjectLimits {
  private bySite = new Map<string, Map<string, SubjectLimit>>();

  constructor(
    private readonly load: () => Promise<ActiveLimit[]>,
    private readonly cipher: PersonalDataCipher,
  ) {}

  async refresh(): Promise<void> {
    try {
      const next = new Map<string, Map<string, SubjectLimit>>();
      for (const l of await this.load()) {
        let site = next.get(l.siteId);
        if (!site) next.set(l.siteId, (site = new Map()));
        const key = `${l.subjectKind}:${l.subjectIndex}`;
        if (l.type === 'objection' || !site.has(key)) site.set(key, l.type === 'objection' ? 'objected' : 'restricted');
      }
      this.bySite = next;
    } catch (err) {
      log.warn('privacy limits not reloaded; the last known set stays in force', { error: err });
      throw err;
    }
  }

  /** The limit on this subject at this site, if any. Costs one HMAC only when the site has limits. */
  limitOf(siteId: string | null, kind: SubjectKind, value: string | null | undefined): SubjectLimit | null {
    if (!siteId || !value) return null;
    const site = this.bySite.get(siteId);
    if (!site) return null;
    return site.get(`${kind}:${this.cipher.index(kind, value)}`) ?? null;
  }
}
