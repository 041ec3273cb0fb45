/**
 * The schema commands as a user runs them: busline check (with a real git base), types,
 * catalog and graph, against the fixture schemas and the fixture cloud assembly.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCommand } from './run-command.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/schema/', import.meta.url));
const AFFECTED = 'Affected subscriptions: reserve-inventory, notify-customer; publishers: checkout-api.';

/** A git repository holding a copy of the fixture project, committed once. */
function fixtureRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'busline-check-'));
  cpSync(join(FIXTURE, 'schemas'), join(dir, 'schemas'), { recursive: true });
  cpSync(join(FIXTURE, 'assembly'), join(dir, 'assembly'), { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '.');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'schemas');
  return dir;
}

function editJson(file: string, edit: (s: Record<string, any>) => void): void {
  const s = JSON.parse(readFileSync(file, 'utf8'));
  edit(s);
  writeFileSync(file, JSON.stringify(s, null, 2));
}

describe('busline check', () => {
  let repo = '';
  before(() => { repo = fixtureRepo(); });
  after(() => rmSync(repo, { recursive: true, force: true }));

  test('passes on the fixture schemas, comparing each version with the previous one', async () => {
    const r = await runCommand('check', ['--assembly', 'assembly'], repo);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'busline check: no breaking changes in 1 comparison(s) across 3 topic(s)\n');
    assert.equal(r.code, 0);
  });

  test('with --base, an in-place edit of a published version fails against the same file at the ref', async () => {
    const v1 = join(repo, 'schemas/order.placed/v1.json');
    const original = readFileSync(v1, 'utf8');
    try {
      editJson(v1, (s) => { s.properties.giftWrap = { type: 'boolean' }; s.required.push('giftWrap'); });
      const r = await runCommand('check', ['--base', 'main', '--assembly', 'assembly'], repo);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, [
        `✗ order.placed v1 against v1 at main (backward): field "giftWrap": new required field (added, required) breaks backward compatibility: consumers reading with v1 reject events written with v1 at main. ${AFFECTED}`,
        'busline check: 1 breaking change(s) in 1 comparison(s) across 3 topic(s) (changed since main: 1 file(s))',
        '',
      ].join('\n'));
    } finally {
      writeFileSync(v1, original);
    }
  });

  test('with --base, a new version is compared with its previous version, in the mode given by --mode', async () => {
    const v3 = join(repo, 'schemas/order.placed/v3.json');
    try {
      cpSync(join(repo, 'schemas/order.placed/v2.json'), v3);
      editJson(v3, (s) => { delete s['x-busline-compatibility']; s.properties.currency.enum = ['EUR', 'USD', 'GBP', 'CHF']; });
      const backward = await runCommand('check', ['--base', 'main', '--assembly', 'assembly'], repo);
      assert.equal(backward.code, 0, backward.stderr);
      assert.equal(backward.stdout, 'busline check: no breaking changes in 1 comparison(s) across 3 topic(s) (changed since main: 1 file(s))\n');
      const forward = await runCommand('check', ['--base', 'main', '--mode', 'forward', '--assembly', 'assembly'], repo);
      assert.equal(forward.code, 1);
      assert.equal(forward.stderr.split('\n')[0],
        `✗ order.placed v3 against v2 (forward): field "currency": widened enum (enum ["EUR", "USD", "GBP"] → ["EUR", "USD", "GBP", "CHF"]) breaks forward compatibility: consumers still on v2 reject events written with v3. ${AFFECTED}`);
    } finally {
      rmSync(v3, { force: true });
    }
  });

  test('an unknown --mode is a usage error listing the modes', async () => {
    const r = await runCommand('check', ['--mode', 'strict'], repo);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.split('\n')[0], '--mode strict is not a compatibility mode: use one of backward, forward, full, none');
  });

  test('a --base that is not a commit is an error naming the ref', async () => {
    const r = await runCommand('check', ['--base', 'no-such-branch', '--assembly', 'assembly'], repo);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^busline check: --base no-such-branch is not a commit in .+: pass a branch, tag or commit \(e\.g\. origin\/main\)\n$/);
  });
});

describe('busline types', () => {
  test('--check passes on the checked-in fixture types and fails, naming the fix, when they are stale', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'busline-types-'));
    try {
      cpSync(join(FIXTURE, 'schemas'), join(dir, 'schemas'), { recursive: true });
      const fresh = await runCommand('types', ['--check'], dir);
      assert.equal(fresh.code, 0, fresh.stderr);
      editJson(join(dir, 'schemas/shipment.scheduled/v1.json'), (s) => { s.properties.trackingUrl = { type: 'string' }; });
      const stale = await runCommand('types', ['--check'], dir);
      assert.equal(stale.code, 1);
      assert.equal(stale.stderr, `busline types: ${join(dir, 'schemas/types.ts')} is stale: run \`busline types\` and commit it\n`);
      const write = await runCommand('types', [], dir);
      assert.equal(write.code, 0);
      assert.match(readFileSync(join(dir, 'schemas/types.ts'), 'utf8'), /trackingUrl\?: string;/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('busline catalog and graph', () => {
  test('catalog --check passes on the checked-in fixture catalog', async () => {
    const r = await runCommand('catalog', ['--assembly', 'assembly', '--out', 'catalog.md', '--check'], FIXTURE);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
  });

  test('graph --format dot prints a digraph with filtered edges', async () => {
    const r = await runCommand('graph', ['--format', 'dot', '--assembly', 'assembly'], FIXTURE);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^digraph busline \{\n/);
    assert.match(r.stdout, /orders_t_inventory_reserved -> orders_s_schedule_shipment \[label="warehouse = FRA-1"\];/);
  });

  test('graph rejects an unknown format', async () => {
    const r = await runCommand('graph', ['--format', 'svg', '--assembly', 'assembly'], FIXTURE);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.split('\n')[0], '--format svg is not supported: use one of mermaid, dot');
  });

  test('a missing assembly is an error telling how to make one', async () => {
    const r = await runCommand('graph', ['--assembly', 'no-such-dir'], FIXTURE);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'busline graph: cloud assembly no-such-dir does not exist: run `npx cdk synth` first or pass --assembly <folder>\n');
  });
});

describe('command conventions (dispatched by lib/cli/main.ts)', () => {
  for (const name of ['types', 'check', 'catalog', 'graph']) {
    test(`${name} exports a one-line summary and answers --help with its usage on stdout`, async () => {
      const mod = await import(`../../lib/cli/commands/${name}.ts`) as { summary?: unknown };
      assert.equal(typeof mod.summary, 'string');
      const r = await runCommand(name, ['--help'], FIXTURE);
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`^usage: busline ${name} `));
    });
  }

  test('an unknown option is a usage error (exit 2) showing the usage', async () => {
    const r = await runCommand('catalog', ['--outt', 'x.md'], FIXTURE);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Unknown option '--outt'[\s\S]*usage: busline catalog /);
  });
});
