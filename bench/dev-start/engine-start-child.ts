/**
 * One engine start on a state folder, in a fresh process: LocalEngine.start (recovery included)
 * with the big state's queue declared, until it serves; reports its wall and CPU time on fd 3
 * (the CPU time is the figure a loaded machine disturbs least) and stops.
 * Usage: node --import tsx engine-start-child.ts <stateDir>
 */
import { writeSync } from 'node:fs';
import { LocalEngine } from '../../lib/local/engine.ts';
import { declareBigStateQueue } from './big-state.ts';

const stateDir = process.argv[2]!;
const started = performance.now();
const cpu = process.cpuUsage();
const engine = await LocalEngine.start({ stateDir, port: 0, setup: declareBigStateQueue });
const startMs = performance.now() - started;
const used = process.cpuUsage(cpu);
const cpuMs = (used.user + used.system) / 1000;
const counts = engine.queueCounts('BigStateQueue');
await engine.stop();
writeSync(3, JSON.stringify({ startMs, cpuMs, messages: counts.visible + counts.inFlight + counts.delayed }));
