import { runJobLockContract } from './job-lock.contract';
import { MemoryJobLock } from './memory-job-lock';

runJobLockContract('MemoryJobLock', async () => {
  let now = Date.parse('2026-11-30T10:00:00Z');
  return {
    lock: new MemoryJobLock(() => now),
    elapse: async (ms) => {
      now += ms;
    },
    cleanup: async () => undefined,
  };
});
