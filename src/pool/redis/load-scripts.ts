import path from 'node:path';
import type { Cluster, Redis } from 'ioredis';
import { defineLuaScripts, readLuaScripts, versionedCommandName, type LoadedScript as AnyLoadedScript, type ScriptArg, type ScriptCaller } from '../../shared/redis/lua-scripts';
import { resultCodesLua } from './result-codes';

/**
 * The pool's Lua scripts (one file per script, `name-<numberOfKeys>.lua`, BullMQ style), loaded and
 * registered by src/shared/redis/lua-scripts.ts under versioned command names.
 */

export { inlineIncludes } from '../../shared/redis/lua-scripts';
export type { ScriptArg };

/**
 * Part of every command name. Bump it whenever a script's KEYS, ARGV or reply changes, so two
 * deployed versions sharing a connection or a Redis never call each other's script by mistake.
 */
export const SCRIPT_VERSION = 1;

export const POOL_SCRIPTS = ['lease', 'heartbeat', 'holders', 'stats', 'addNumbers', 'removeNumbers', 'readEvents', 'ackEvents', 'restore', 'forgetVisits', 'forgetHoldersBefore'] as const;
export type PoolScriptName = (typeof POOL_SCRIPTS)[number];

export type PoolScripts = Record<PoolScriptName, ScriptCaller>;
export type LoadedScript = AnyLoadedScript<PoolScriptName>;

export const LUA_DIR = path.join(__dirname, 'lua');

export function commandName(script: PoolScriptName): string {
  return versionedCommandName(script, SCRIPT_VERSION);
}

export function readPoolScripts(dir = LUA_DIR): LoadedScript[] {
  // Includes generated from TypeScript rather than read from includes/.
  return readLuaScripts({ dir, names: POOL_SCRIPTS, version: SCRIPT_VERSION, generatedIncludes: { resultCodes: resultCodesLua } });
}

let cached: LoadedScript[] | undefined;

/** Registers the scripts on this connection and returns typed callers that check the key count. */
export function loadPoolScripts(redis: Redis | Cluster): PoolScripts {
  cached ??= readPoolScripts();
  return defineLuaScripts(redis, cached);
}
