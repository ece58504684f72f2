import type { Queryable } from '../db/database';

export interface Client {
  id: string;
  name: string;
  /** Twilio regulatory bundle (BU...) sent when buying numbers in countries that require one (GB). */
  twilioBundleSid: string | null;
  /** Twilio address (AD...) sent when buying numbers in countries that require a local address. */
  twilioAddressSid: string | null;
  /** How long website activity is kept, in days (a site may override it). */
  activityRetentionDays: number;
  /** How long call records are kept before they are anonymised, in calendar months (a site may override it). */
  callRetentionMonths: number;
  /** The share of visits it accepts finding every number of a pool taken: what pool sizing advice aims at (0 < t < 1). */
  poolBlockingTarget: number;
  createdAt: Date;
}

export type ClientChanges = Partial<Pick<Client, 'name' | 'twilioBundleSid' | 'twilioAddressSid' | 'activityRetentionDays' | 'callRetentionMonths' | 'poolBlockingTarget'>>;

export interface ClientStore {
  create(name: string): Promise<Client>;
  findById(id: string): Promise<Client | null>;
  list(): Promise<Client[]>;
  update(id: string, changes: ClientChanges): Promise<Client | null>;
}

interface ClientRow {
  id: string;
  name: string;
  twilio_bundle_sid: string | null;
  twilio_address_sid: string | null;
  activity_retention_days: number;
  call_retention_months: number;
  /** numeric: pg returns it as a string. */
  pool_blocking_target: string | number;
  created_at: Date;
}

const COLUMNS = 'id, name, twilio_bundle_sid, twilio_address_sid, activity_retention_days, call_retention_months, pool_blocking_target, created_at';

const toClient = (r: ClientRow): Client => ({
  id: r.id,
  name: r.name,
  twilioBundleSid: r.twilio_bundle_sid,
  twilioAddressSid: r.twilio_address_sid,
  activityRetentionDays: r.activity_retention_days,
  callRetentionMonths: r.call_retention_months,
  poolBlockingTarget: Number(r.pool_blocking_target),
  createdAt: r.created_at,
});

export class SqlClientStore implements ClientStore {
  constructor(private readonly db: Queryable) {}

  async create(name: string): Promise<Client> {
    const { rows } = await this.db.query<ClientRow>(`INSERT INTO clients (name) VALUES ($1) RETURNING ${COLUMNS}`, [name]);
    return toClient(rows[0]);
  }

  async findById(id: string): Promise<Client | null> {
    const { rows } = await this.db.query<ClientRow>(`SELECT ${COLUMNS} FROM clients WHERE id = $1`, [id]);
    return rows[0] ? toClient(rows[0]) : null;
  }

  async list(): Promise<Client[]> {
    const { rows } = await this.db.query<ClientRow>(`SELECT ${COLUMNS} FROM clients ORDER BY created_at, id`);
    return rows.map(toClient);
  }

  /** Only the keys given change; null clears a SID. */
  async update(id: string, c: ClientChanges): Promise<Client | null> {
    const { rows } = await this.db.query<ClientRow>(
      `UPDATE clients SET
         name = COALESCE($2, name),
         twilio_bundle_sid = CASE WHEN $3 THEN $4 ELSE twilio_bundle_sid END,
         twilio_address_sid = CASE WHEN $5 THEN $6 ELSE twilio_address_sid END,
         activity_retention_days = COALESCE($7, activity_retention_days),
         call_retention_months = COALESCE($8, call_retention_months),
         pool_blocking_target = COALESCE($9, pool_blocking_target)
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, c.name ?? null, 'twilioBundleSid' in c, c.twilioBundleSid ?? null, 'twilioAddressSid' in c, c.twilioAddressSid ?? null,
        c.activityRetentionDays ?? null, c.callRetentionMonths ?? null, c.poolBlockingTarget ?? null],
    );
    return rows[0] ? toClient(rows[0]) : null;
  }
}
