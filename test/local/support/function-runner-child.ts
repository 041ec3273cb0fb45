/**
 * Runs a FunctionRunner in a process of its own, for the test that kills it (SIGKILL, as a
 * crashed engine dies) and checks that its functions' child processes end with it:
 *
 *   node --import tsx test/local/support/function-runner-child.ts '<LocalFunction JSON>'
 *
 * Invokes the function once and prints its answer as one JSON line on stdout, then waits.
 */
import { FunctionRunner } from '../../../lib/local/lambda/function-runner.ts';
import type { LocalFunction } from '../../../lib/local/assembly/app-model.ts';

const fn = JSON.parse(process.argv[2] ?? '{}') as LocalFunction;
const runner = new FunctionRunner({ endpoint: 'http://127.0.0.1:4999', region: 'eu-west-1', accountId: '000000000000', workDir: fn.codeDir! });
runner.add(fn);
const result = await runner.invoke(fn.name, {});
process.stdout.write(JSON.stringify(result) + '\n');
setInterval(() => {}, 60_000);
