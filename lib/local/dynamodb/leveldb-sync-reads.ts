/**
 * dynalite's LevelDB (classic-level) answers reads on libuv's thread pool: every get is two
 * thread hand-offs (queue the work, wake the event loop for the result), and dynalite does
 * two gets per write (the table's definition, then the item). A LevelDB get is a memtable or
 * block-cache lookup of microseconds, so the hand-offs cost more than the read, and on a busy
 * machine each one can cost the engine's event loop its core. classic-level also offers a
 * synchronous get (`getSync`, same lookup, same answers): dynalite's reads use it. Writes stay
 * asynchronous.
 *
 * Measured with bench/engine-flow.bench.ts (--concurrency 1, interleaved, load 7-13 on 2 cores):
 * engine CPU per flow run (an event and the handler runs it causes) 12.9-16.9 ms with synchronous
 * reads vs 18.5-20.8 ms without; the thread pool's 1.6 ms per run disappears and the main thread drops from 5.2-5.5 to 3.8-4.6 ms.
 */
import { requireDynalite } from './dynalite-modules.ts';

interface LevelPrototype {
  _get(key: unknown, options: unknown): Promise<unknown>;
  _getSync?(key: unknown, options: unknown): unknown;
}

const PATCHED = Symbol.for('busline.leveldbSyncReads');

/** Idempotent; a no-op if the installed classic-level has no synchronous get. */
export function useSynchronousLevelDbReads(): void {
  const { Level } = requireDynalite('level') as { Level: { prototype: LevelPrototype } };
  const proto = Level.prototype;
  const getSync = proto._getSync;
  if (typeof getSync !== 'function' || Object.hasOwn(proto, PATCHED)) return;
  Object.defineProperty(proto, PATCHED, { value: true });
  proto._get = function (this: LevelPrototype, key: unknown, options: unknown): Promise<unknown> {
    try {
      return Promise.resolve(getSync.call(this, key, options));
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
