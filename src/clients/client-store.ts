import type { Queryable } from '../db/database';

export interface Client {
  id: string;
  name: string;
  createdAt: Date;
}

export interface ClientStore {
  create(name: string): Promise<Client>;
  findById(id: string): Promise<Client | null>;
  list(): Promise<Client[]>;
}

interface ClientRow {
  id: string;
  name: string;
  created_at: Date;
}

const toClient = (r: ClientRow): Client => ({ id: r.id, name: r.name, createdAt: r.created_at });

export class SqlClientStore implements ClientStore {
  constructor(private readonly db: Queryable) {}

  async create(name: string): Promise<Client> {
    const { rows } = await this.db.query<ClientRow>('INSERT INTO clients (name) VALUES ($1) RETURNING id, name, created_at', [name]);
    return toClient(rows[0]);
  }

  async findById(id: string): Promise<Client | null> {
    const { rows } = await this.db.query<ClientRow>('SELECT id, name, created_at FROM clients WHERE id = $1', [id]);
    return rows[0] ? toClient(rows[0]) : null;
  }

  async list(): Promise<Client[]> {
    const { rows } = await this.db.query<ClientRow>('SELECT id, name, created_at FROM clients ORDER BY created_at, id');
    return rows.map(toClient);
  }
}
