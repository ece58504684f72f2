import path from 'node:path';
import type { Cluster, Redis } from 'ioredis';
import { defineLuaScripts, readLuaScripts, type LoadedScript, type ScriptCaller } from '../../shared/redis/lua-scripts';

/** Bump whenever a script's KEYS, ARGV or reply changes (it is part of every command name). */
export const JOB_LOCK_SCRIPT_VERSION = 1;
export const JOB_LOCK_SCRIPTS = ['acquireJobLock', 'renewJobLock', 'releaseJobLock'] as const;
export type JobLockScriptName = (typeof JOB_LOCK_SCRIPTS)[number];

/**
 * The codes the job lock scripts reply with (first element). Defined only here: rendered into Lua as
 * `JobLockCode` for every script that says `--- @include "jobLockCodes"`.
 */
export const JobLockCode = {
  ACQUIRED: 1,
  HELD: 2,
  TICK_TAKEN: 3,
  RENEWED: 4,
  RELEASED: 5,
  NOT_HOLDER: 6,
} as const;

export function jobLockCodesLua(): string {
  return `local JobLockCode = { ${Object.entries(JobLockCode)
    .map(([name, code]) => `${name} = ${code}`)
    .join(', ')} }`;
}

export const JOB_LOCK_LUA_DIR = path.join(__dirname, 'lua');

export function readJobLockScripts(): LoadedScript<JobLockScriptName>[] {
  return readLuaScripts({ dir: JOB_LOCK_LUA_DIR, names: JOB_LOCK_SCRIPTS, version: JOB_LOCK_SCRIPT_VERSION, generatedIncludes: { jobLockCodes: jobLockCodesLua } });
}

let cached: LoadedScript<JobLockScriptName>[] | undefined;

export function loadJobLockScripts(redis: Redis | Cluster): Record<JobLockScriptName, ScriptCaller> {
  cached ??= readJobLockScripts();
  return defineLuaScripts(redis, cached);
}

/** The code a script replied with; anything else is a bug or a script of another version. */
export function replyCode(reply: unknown): number {
  if (!Array.isArray(reply) || reply.length === 0) throw new Error(`Unexpected job lock script reply: ${JSON.stringify(reply)}`);
  return Number(reply[0]);
}
