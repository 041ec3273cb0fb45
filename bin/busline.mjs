#!/usr/bin/env node
// The `busline` command: runs lib/cli/main.ts through tsx (the package ships TypeScript).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../lib/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
