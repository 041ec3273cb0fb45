#!/usr/bin/env node
// The `busline` command: runs lib/cli/main.ts through tsx (the package ships TypeScript).
import { register } from 'tsx/esm/api';

// The CLI runs on the developer's Node (20 here); the SDK's advice to upgrade is noise in a CLI.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// `busline events | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => { if (error.code === 'EPIPE') process.exit(0); throw error; });
register();
const { main } = await import('../lib/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
