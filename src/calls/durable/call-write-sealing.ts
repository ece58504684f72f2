import type { PersonalDataCipher } from '../../privacy/personal-data-cipher';
import type { CallWrite } from './call-write';

/**
 * A queued call write waits in Redis or a local file, which are storage too: the caller's number,
 * name and forwarding number are sealed before queueing and opened before the write is applied.
 */
export interface CallWriteSealing {
  seal(w: CallWrite): CallWrite;
  open(w: CallWrite): CallWrite;
}

export function callWriteSealing(cipher: PersonalDataCipher): CallWriteSealing {
  const convert = (w: CallWrite, f: (v: string | null | undefined) => string | null): CallWrite => {
    if (w.kind === 'inbound') {
      const caller = w.call.caller && { ...w.call.caller, name: f(w.call.caller.name), forwardedFrom: f(w.call.caller.forwardedFrom) };
      return { kind: 'inbound', call: { ...w.call, from: f(w.call.from), caller } };
    }
    if (w.kind === 'status') return { kind: 'status', update: { ...w.update, from: f(w.update.from) } };
    return w;
  };
  return {
    seal: (w) => convert(w, (v) => cipher.sealNullable(v)),
    open: (w) => convert(w, (v) => cipher.openNullable(v)),
  };
}

/** For tests and tools that queue nothing personal. */
export const NO_SEALING: CallWriteSealing = { seal: (w) => w, open: (w) => w };
