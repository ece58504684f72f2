import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Cluster, Redis } from 'ioredis';
import { resultCodesLua } from './result-codes';

/**
 * Loads the pool's Lua scripts (one file per script, `name-<numberOfKeys>.lua`, BullMQ style),
 * inlines their `--- @include "name"` lines and registers them with ioredis `defineCommand`.
 * ioredis sends EVALSHA and falls back to EVAL after NOSCRIPT (script caches vanish on restart and
 * failover), so SHAs are never cached here.
 */

/**
 * Part of every command name. Bump it whenever a script's KEYS, ARGV or reply changes, so two
 * deployed versions sharing a connection or a Redis never call each other's script by mistake.
 */
export const SCRIPT_VERSION = 1;

export const POOL_SCRIPTS = ['lease', 'heartbeat', 'holders', 'stats', 'addNumbers', 'removeNumbers', 'readEvents', 'ackEvents', 'restore', 'forgetVisits', 'forgetHoldersBefore'] as const;
export type PoolScriptName = (typeof POOL_SCRIPTS)[number];

export type ScriptArg = string | number;
export type PoolScripts = Record<PoolScriptName, (keys: readonly string[], args: readonly ScriptArg[]) => Promise<unknown>>;

export const LUA_DIR = path.join(__dirname, 'lua');
const INCLUDE_LINE = /^--- @include "([\w-]+)"[ \t]*$/gm;
/** Includes generated from TypeScript rather than read from includes/. */
const GENERATED_INCLUDES: Record<string, () => string> = { resultCodes: resultCodesLua };

export interface LoadedScript {
  name: PoolScriptName;
  /** The versioned name the command is registered under, e.g. ctLeaseV1. */
  commandName: string;
  numberOfKeys: number;
  lua: string;
}

export function commandName(script: PoolScriptName): string {
  return `ct${script[0].toUpperCase()}${script.slice(1)}V${SCRIPT_VERSION}`;
}

/**
 * Replaces each include line with the include's content, recursively. Each include is inlined
 * once per script (its first occurrence), because the includes define Lua locals.
 */
export function inlineIncludes(source: string, readInclude: (name: string) => string, included = new Set<string>()): string {
  return source.replace(INCLUDE_LINE, (_line, name: string) => {
    if (included.has(name)) return '';
    included.add(name);
    return inlineIncludes(readInclude(name), readInclude, included);
  });
}

function includeReader(dir: string): (name: string) => string {
  return (name) => {
    const generated = GENERATED_INCLUDES[name];
    if (generated) return generated();
    const file = path.join(dir, 'includes', `${name}.lua`);
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`Lua include "${name}" not found at ${file}`, { cause: err });
    }
  };
}

export function readPoolScripts(dir = LUA_DIR): LoadedScript[] {
  const files = readdirSync(dir);
  return POOL_SCRIPTS.map((name) => {
    const pattern = new RegExp(`^${name}-(\\d+)\\.lua$`);
    const matches = files.filter((f) => pattern.test(f));
    if (matches.length !== 1) throw new Error(`Expected exactly one Lua script ${name}-<keys>.lua in ${dir}, found ${matches.length}`);
    const numberOfKeys = Number(pattern.exec(matches[0])![1]);
    const lua = inlineIncludes(readFileSync(path.join(dir, matches[0]), 'utf8'), includeReader(dir));
    return { name, commandName: commandName(name), numberOfKeys, lua };
  });
}

let cached: LoadedScript[] | undefined;

type ScriptCommand = (...keysAndArgs: ScriptArg[]) => Promise<unknown>;

/** Registers the scripts on this connection and returns typed callers that check the key count. */
export function loadPoolScripts(redis: Redis | Cluster): PoolScripts {
  cached ??= readPoolScripts();
  const callers = {} as PoolScripts;
  for (const script of cached) {
    redis.defineCommand(script.commandName, { lua: script.lua, numberOfKeys: script.numberOfKeys });
    const command = (redis as unknown as Record<string, ScriptCommand>)[script.commandName];
    callers[script.name] = (keys, args) => {
      if (keys.length !== script.numberOfKeys) {
        throw new Error(`${script.commandName} takes ${script.numberOfKeys} keys, got ${keys.length}`);
      }
      return command.call(redis, ...keys, ...args);
    };
  }
  return callers;
}
