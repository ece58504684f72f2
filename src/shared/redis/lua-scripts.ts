import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Cluster, Redis } from 'ioredis';

/**
 * Loads Lua scripts the BullMQ way: one file per script, `name-<numberOfKeys>.lua`, each opening with
 * a comment block documenting its KEYS, ARGV and reply; `--- @include "name"` lines are inlined from
 * `includes/` (or from generated includes such as result codes rendered from TypeScript). Scripts are
 * registered with ioredis `defineCommand` under a versioned name; ioredis sends EVALSHA and falls back
 * to EVAL after NOSCRIPT (script caches vanish on restart and failover), so SHAs are never cached here.
 */

export type ScriptArg = string | number;
export type ScriptCaller = (keys: readonly string[], args: readonly ScriptArg[]) => Promise<unknown>;

export interface LoadedScript<Name extends string = string> {
  name: Name;
  /** The versioned name the command is registered under, e.g. ctLeaseV1. */
  commandName: string;
  numberOfKeys: number;
  lua: string;
}

export interface ScriptSet<Name extends string> {
  dir: string;
  names: readonly Name[];
  /** Part of every command name: bump it whenever a script's KEYS, ARGV or reply changes. */
  version: number;
  /** Includes generated from TypeScript rather than read from includes/. */
  generatedIncludes?: Record<string, () => string>;
}

const INCLUDE_LINE = /^--- @include "([\w-]+)"[ \t]*$/gm;

export function versionedCommandName(script: string, version: number): string {
  return `ct${script[0].toUpperCase()}${script.slice(1)}V${version}`;
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

function includeReader(dir: string, generated: Record<string, () => string>): (name: string) => string {
  return (name) => {
    const make = generated[name];
    if (make) return make();
    const file = path.join(dir, 'includes', `${name}.lua`);
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`Lua include "${name}" not found at ${file}`, { cause: err });
    }
  };
}

export function readLuaScripts<Name extends string>(set: ScriptSet<Name>): LoadedScript<Name>[] {
  const files = readdirSync(set.dir);
  const readInclude = includeReader(set.dir, set.generatedIncludes ?? {});
  return set.names.map((name) => {
    const pattern = new RegExp(`^${name}-(\\d+)\\.lua$`);
    const matches = files.filter((f) => pattern.test(f));
    if (matches.length !== 1) throw new Error(`Expected exactly one Lua script ${name}-<keys>.lua in ${set.dir}, found ${matches.length}`);
    const numberOfKeys = Number(pattern.exec(matches[0])![1]);
    const lua = inlineIncludes(readFileSync(path.join(set.dir, matches[0]), 'utf8'), readInclude);
    return { name, commandName: versionedCommandName(name, set.version), numberOfKeys, lua };
  });
}

type ScriptCommand = (...keysAndArgs: ScriptArg[]) => Promise<unknown>;

/** Registers the scripts on this connection and returns typed callers that check the key count. */
export function defineLuaScripts<Name extends string>(redis: Redis | Cluster, scripts: readonly LoadedScript<Name>[]): Record<Name, ScriptCaller> {
  const callers = {} as Record<Name, ScriptCaller>;
  for (const script of scripts) {
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
