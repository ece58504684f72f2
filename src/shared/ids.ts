import { randomBytes } from 'node:crypto';

/** Opaque public identifiers: a readable prefix and 128 bits of randomness. */
export const newPublicId = (prefix: string, bytes = 16): string => `${prefix}_${randomBytes(bytes).toString('base64url')}`;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids the tracking script sends back (from our own cookies); anything else is replaced. */
export const PUBLIC_ID = /^[A-Za-z0-9_-]{8,64}$/;
