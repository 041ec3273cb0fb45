#!/usr/bin/env node
// The `busline` command. An installed package runs its compiled CLI (dist/esm); a checkout of
// the Busline repository, which has the TypeScript sources, runs them through tsx.
import { existsSync } from 'node:fs';

// The CLI runs on the developer's Node (20 here); the SDK's advice to upgrade is noise in a CLI.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// `busline events | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => { if (error.code === 'EPIPE') process.exit(0); throw error; });

const source = new URL('../lib/cli/main.ts', import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import('../dist/esm/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
