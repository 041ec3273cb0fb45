/**
 * Starts `moto_server` (an independent AWS emulator) on 127.0.0.1 with a port the OS picks,
 * waits until it answers HTTP, and stops it afterwards. Generic: any test that needs a real AWS
 * wire endpoint (SQS, EventBridge, DynamoDB, …) can use it.
 *
 *   const moto = await startMotoServer();
 *   after(() => moto.stop());
 *   new SQSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS });
 *
 * `motoServerMissing()` gives the one-line reason to skip when moto_server is not installed
 * (under CI it throws instead: see prerequisites.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { toolMissing } from './prerequisites.ts';

export interface MotoServer {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly port: number;
  /** Kills the server and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

/** moto accepts any credentials; SDK clients still need some. */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;
export const MOTO_REGION = 'us-east-1';
/** moto's default account id. */
export const MOTO_ACCOUNT = '123456789012';

/** A skip reason when moto_server is not on PATH, else false; under CI a missing moto_server throws. */
export function motoServerMissing(): string | false {
  return toolMissing('moto_server');
}

const RUNNING_ON = /Running on http:\/\/127\.0\.0\.1:(\d+)/;

export async function startMotoServer(options: { timeoutMs?: number } = {}): Promise<MotoServer> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  // Port 0: the OS picks a free port and moto (werkzeug) prints the one it got.
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stopped = false;
  // 'error' without 'exit' is a process that never started (or could not be signalled): nothing to wait for.
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const stop = async (): Promise<void> => {
    if (!stopped) {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        // A server that ignores SIGTERM must not outlive the tests.
        const force = setTimeout(() => child.kill('SIGKILL'), 5000);
        exited.then(() => clearTimeout(force), () => clearTimeout(force));
      }
    }
    await exited;
  };
  try {
    const port = await waitForPort(child, timeoutMs);
    const endpoint = `http://127.0.0.1:${port}`;
    await waitUntilAnswering(endpoint, timeoutMs);
    // Keep draining output so a chatty server never blocks on a full pipe.
    child.stdout?.resume();
    child.stderr?.resume();
    return { endpoint, port, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function waitForPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => done(new Error(`moto_server did not report its port within ${timeoutMs} ms; output: ${output.slice(-500)}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = RUNNING_ON.exec(output);
      if (m) done(undefined, Number(m[1]));
    };
    const onExit = (code: number | null): void => done(new Error(`moto_server exited (code ${code}) before listening; output: ${output.slice(-500)}`));
    const onError = (err: Error): void => done(err);
    function done(err: Error | undefined, port?: number): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      if (err) reject(err);
      else resolve(port!);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

async function waitUntilAnswering(endpoint: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return;
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`moto_server at ${endpoint} did not answer within ${timeoutMs} ms: ${(last as Error)?.message}`);
}
