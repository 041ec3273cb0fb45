/**
 * Drives an endpoint with publisher processes (bench/support/routing-publisher.ts), each with
 * its own SDK client, so the client side can use more than one core and every endpoint of a
 * routing bench is driven by the same client code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const PUBLISHER_SCRIPT = fileURLToPath(new URL('./routing-publisher.ts', import.meta.url));

interface Publisher {
  run(job: { offset: number; count: number; concurrency: number; deadline?: number }): Promise<{ cpuMicros: number; sent: number }>;
  close(): Promise<void>;
}

async function startPublisher(endpoint: string): Promise<Publisher> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', PUBLISHER_SCRIPT, endpoint], { stdio: ['pipe', 'pipe', 'ignore'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const replies = createInterface({ input: child.stdout! });
  const waiting: Array<(line: Record<string, unknown>) => void> = [];
  replies.on('line', (line) => waiting.shift()?.(JSON.parse(line) as Record<string, unknown>));
  exited.then(() => waiting.splice(0).forEach((w) => w({ error: 'the publisher process exited' })));
  const next = () => new Promise<Record<string, unknown>>((resolve) => waiting.push(resolve));
  const ready = await next();
  if (!ready['ready']) throw new Error(`publisher did not start: ${JSON.stringify(ready)}`);
  return {
    async run(job) {
      const reply = next();
      child.stdin!.write(JSON.stringify(job) + '\n');
      const answer = await reply;
      if (typeof answer['error'] === 'string') throw new Error(answer['error']);
      return { cpuMicros: answer['cpuMicros'] as number, sent: answer['sent'] as number };
    },
    async close() {
      child.stdin!.end();
      await exited;
    },
  };
}

export interface RouteResult {
  /** Events answered per second of wall clock, first call to last answer. */
  readonly rate: number;
  /** Events sent (fewer than asked when the deadline stopped the run). */
  readonly sent: number;
  /** The publishers' CPU per event sent, µs. */
  readonly clientCpu: number;
  /** What ended the run: every event sent, or the time budget. */
  readonly stoppedBy: 'events' | 'time';
}

export interface Publishers {
  /** Sends `count` events (ids from `offset`) with `concurrency` calls in flight in all; stops starting calls after `budgetMs`. */
  route(count: number, concurrency: number, offset: number, budgetMs?: number): Promise<RouteResult>;
  close(): Promise<void>;
}

export async function startPublishers(endpoint: string, processes: number): Promise<Publishers> {
  const publishers: Publisher[] = [];
  try {
    for (let i = 0; i < processes; i++) publishers.push(await startPublisher(endpoint));
  } catch (error) {
    for (const p of publishers) await p.close();
    throw error;
  }
  return {
    async route(count, concurrency, offset, budgetMs) {
      const share = Math.ceil(count / publishers.length / 10) * 10;
      const deadline = budgetMs === undefined ? undefined : Date.now() + budgetMs;
      const started = process.hrtime.bigint();
      const done = await Promise.all(
        publishers.map((p, i) => {
          const first = i * share;
          const n = Math.max(0, Math.min(share, count - first));
          return p.run({ offset: offset + first, count: n, concurrency: Math.max(1, Math.round(concurrency / publishers.length)), ...(deadline ? { deadline } : {}) });
        }),
      );
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const sent = done.reduce((a, d) => a + d.sent, 0);
      const cpu = done.reduce((a, d) => a + d.cpuMicros, 0);
      return { rate: sent / seconds, sent, clientCpu: sent > 0 ? cpu / sent : 0, stoppedBy: sent < count ? 'time' : 'events' };
    },
    async close() {
      for (const p of publishers) await p.close();
    },
  };
}
