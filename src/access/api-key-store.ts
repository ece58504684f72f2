import type { Database } from '../db/database';
import type { Role } from './roles';

export interface ApiKey {
  id: string;
  prefix: string;
  role: Role;
  clientIds: string[];
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface ApiKeyStore {
  create(k: { prefix: string; keyHash: string; role: Role; clientIds: readonly string[]; createdBy: string }): Promise<ApiKey>;
  /** A key that is not revoked, by the hash of its secret. */
  findActiveByHash(keyHash: string): Promise<ApiKey | null>;
  findById(id: string): Promise<ApiKey | null>;
  listByClient(clientId: string): Promise<ApiKey[]>;
  revoke(id: string, by: string, at: Date): Promise<ApiKey | null>;
  touch(ids: readonly string[], at: Date): Promise<void>;
}

interface Row {
  id: string;
  prefix: string;
  role: Role;
  client_ids: string[];
  created_by: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const SELECT = `SELECT k.id, k.prefix, k.role, k.created_by, k.created_at, k.last_used_at, k.revoked_at,
       COALESCE((SELECT array_agg(c.client_id::text ORDER BY c.client_id) FROM api_key_clients c WHERE c.key_id = k.id), '{}') AS client_ids
  FROM api_keys k`;

const toKey = (r: Row): ApiKey => ({
  id: r.id,
  prefix: r.prefix,
  role: r.role,
  clientIds: r.client_ids,
  createdBy: r.created_by,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

export class SqlApiKeyStore implements ApiKeyStore {
  constructor(private readonly db: Database) {}

  async create(k: { prefix: string; keyHash: string; role: Role; clientIds: readonly string[]; createdBy: string }): Promise<ApiKey> {
    const id = await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>('INSERT INTO api_keys (prefix, key_hash, role, created_by) VALUES ($1, $2, $3, $4) RETURNING id', [k.prefix, k.keyHash, k.role, k.createdBy]);
      await tx.query('INSERT INTO api_key_clients (key_id, client_id) SELECT $1, unnest($2::uuid[])', [rows[0].id, k.clientIds]);
      return rows[0].id;
    });
    return (await this.findById(id)) as ApiKey;
  }

  async findActiveByHash(keyHash: string): Promise<ApiKey | null> {
    const { rows } = await this.db.query<Row>(`${SELECT} WHERE k.key_hash = $1 AND k.revoked_at IS NULL`, [keyHash]);
    return rows[0] ? toKey(rows[0]) : null;
  }

  async findById(id: string): Promise<ApiKey | null> {
    const { rows } = await this.db.query<Row>(`${SELECT} WHERE k.id = $1`, [id]);
    return rows[0] ? toKey(rows[0]) : null;
  }

  async listByClient(clientId: string): Promise<ApiKey[]> {
    const { rows } = await this.db.query<Row>(`${SELECT} WHERE k.id IN (SELECT key_id FROM api_key_clients WHERE client_id = $1) ORDER BY k.created_at, k.id`, [clientId]);
    return rows.map(toKey);
  }

  async revoke(id: string, by: string, at: Date): Promise<ApiKey | null> {
    await this.db.query('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2), revoked_by = COALESCE(revoked_by, $3) WHERE id = $1', [id, at, by]);
    return this.findById(id);
  }

  async touch(ids: readonly string[], at: Date): Promise<void> {
    if (ids.length) await this.db.query('UPDATE api_keys SET last_used_at = GREATEST(last_used_at, $2) WHERE id = ANY($1::uuid[])', [ids, at]);
  }
}
