import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandArgs } from '../../lib/cli/args.ts';

const USAGE = 'usage: busline demo [--name <n>]';
const OPTIONS = { name: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

/** Captures what a call writes to stdout and stderr. */
function capture<T>(fn: () => T): { result: T; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => out.push(s) > 0) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => err.push(s) > 0) as typeof process.stderr.write;
  try {
    return { result: fn(), out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

test('known options are parsed and returned', () => {
  const { result } = capture(() => parseCommandArgs(USAGE, { args: ['--name', 'x'], options: OPTIONS }));
  assert.notEqual(typeof result, 'number');
  assert.equal(typeof result === 'number' ? undefined : result.values.name, 'x');
});

test('--help prints the usage to stdout and stops with exit code 0', () => {
  const { result, out } = capture(() => parseCommandArgs(USAGE, { args: ['--help'], options: OPTIONS }));
  assert.equal(result, 0);
  assert.equal(out, `${USAGE}\n`);
});

test('an unknown option says which, prints the usage to stderr and stops with exit code 2', () => {
  const { result, err } = capture(() => parseCommandArgs(USAGE, { args: ['--nmae', 'x'], options: OPTIONS }));
  assert.equal(result, 2);
  assert.match(err, /Unknown option '--nmae'/);
  assert.ok(err.endsWith(`${USAGE}\n`));
});

test('a stray positional is refused unless the command allows positionals', () => {
  assert.equal(capture(() => parseCommandArgs(USAGE, { args: ['extra'], options: OPTIONS })).result, 2);
  const { result } = capture(() => parseCommandArgs(USAGE, { args: ['extra'], options: OPTIONS, allowPositionals: true }));
  assert.deepEqual(typeof result === 'number' ? result : result.positionals, ['extra']);
});
