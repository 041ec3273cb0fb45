import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandNames, main } from '../../lib/cli/main.ts';

test('every module in lib/cli/commands is a command', () => {
  for (const name of ['dev', 'publish', 'events', 'dlq', 'replay']) assert.ok(commandNames().includes(name), name);
});

test('an unknown command exits 2 and lists the commands', async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => { errors.push(args.join(' ')); };
  try {
    assert.equal(await main(['nope']), 2);
  } finally {
    console.error = original;
  }
  assert.match(errors.join('\n'), /unknown command "nope"[\s\S]*publish/);
});

test('a command that cannot find a running engine explains how to start one', async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => { errors.push(args.join(' ')); };
  try {
    assert.equal(await main(['dlq', 'list', '--state', '/nonexistent-busline-state']), 1);
  } finally {
    console.error = original;
  }
  assert.match(errors.join('\n'), /busline dev/);
});
