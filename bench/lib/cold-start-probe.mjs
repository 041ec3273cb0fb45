// Plain JavaScript on purpose: loaded by a fresh `node` with no loader, so nothing but the
// bundle under test is compiled or imported before it. Reports over fd 3 (stdout is the
// handler's log stream).
//   node cold-start-probe.mjs <bundle.mjs> <batch.json>
import { readFileSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundle, batchFile] = process.argv.slice(2);
const startedAt = performance.now();
const mod = await import(pathToFileURL(bundle).href);
const loadedAt = performance.now();
const event = JSON.parse(readFileSync(batchFile, 'utf8'));
const deadline = Date.now() + 60_000;
const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'reserve-inventory',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:reserve-inventory',
  memoryLimitInMB: '1024',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/reserve-inventory',
  logStreamName: '2026/11/25/[$LATEST]bench',
  getRemainingTimeInMillis: () => deadline - Date.now(),
};
const invokedAt = performance.now();
const response = await mod.handler(event, context);
const doneAt = performance.now();
writeSync(3, JSON.stringify({
  // ms since the process's time origin (its start)
  importStartMs: startedAt,
  moduleLoadMs: loadedAt - startedAt,
  firstInvokeMs: doneAt - invokedAt,
  firstBatchDoneMs: doneAt,
  failures: response?.batchItemFailures?.length ?? 0,
}) + '\n');
process.exit(0);
