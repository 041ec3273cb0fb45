// Entry of a function's execution environment: the local stand-in for a Lambda execution
// environment. Plain JS (no tsx here), so the function's code runs as it would on Lambda: only
// its own bundle plus the runtime-provided AWS SDK. The same entry runs in a worker thread of
// the engine (the function's runtime is the engine's own Node major) or in a child process on
// another Node binary (the runtime's major, see node-binaries.ts): only the channel differs.
//
// Protocol (parentPort messages in a worker, IPC messages in a child process):
//   parent → env     { type: 'invoke', id, event, context, now? }
//                    (`now`: the engine's time at the invocation when it is not wall time,
//                    e.g. a test's virtual clock; the handler's Date starts there)
//   env → parent     { type: 'ready' } | { type: 'init-error', error }
//                    { type: 'log', id, level, text }
//                    { type: 'result', id, ok: true, value } | { type: 'result', id, ok: false, error }
//                    { type: 'fatal', error }  (child process only: an uncaught error, just
//                    before it exits; a worker's parent gets it as the worker's 'error' event)
// Start data ({ codeDir, handler, fallbackParentUrl }): workerData in a worker, the first
// command-line argument (JSON) in a child process.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { register, createRequire, Module } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

const channel = isMainThread ? processChannel() : { start: workerData, send: (m) => parentPort.postMessage(m), onMessage: (f) => parentPort.on('message', f) };
const { codeDir, handler, fallbackParentUrl } = channel.start;

/** The channel of a child process: IPC to the engine, which it outlives by no moment. */
function processChannel() {
  // The engine went away (stopped, or killed): nothing can invoke this environment any more.
  process.on('disconnect', () => process.exit(0));
  process.on('uncaughtException', (error) => {
    if (!process.connected) process.exit(1);
    process.send({ type: 'fatal', error: serializeError(error, 'Error') }, () => process.exit(1));
  });
  // Output after the engine went away has nowhere to go.
  const send = (m) => { if (process.connected) process.send(m); };
  return { start: JSON.parse(process.argv[2]), send, onMessage: (f) => process.on('message', f) };
}

register('./sdk-resolve-hooks.mjs', import.meta.url, { data: { fallbackParentUrl } });
// CommonJS require() does not go through the hooks above: it finds the SDK through NODE_PATH,
// which function-pool.ts sets in this environment's variables (as Lambda sets it to /var/runtime/node_modules).

let currentId = null;

// The handler's clock. Wall time, unless an invocation carries the engine's `now` (a test's
// virtual clock): from then on Date reads wall time shifted by the difference, so it starts at
// the engine's time and moves on in real time while the handler runs. Installed before the
// handler's module loads, so whatever it captures is this Date.
const WallDate = Date;
const wallNow = WallDate.now.bind(WallDate);
let shiftMs = 0;
globalThis.Date = new Proxy(WallDate, {
  construct(target, args, newTarget) {
    return Reflect.construct(target, args.length === 0 ? [wallNow() + shiftMs] : args, newTarget);
  },
  apply() {
    return new WallDate(wallNow() + shiftMs).toString();
  },
  get(target, property, receiver) {
    if (property === 'now') return () => wallNow() + shiftMs;
    return Reflect.get(target, property, receiver);
  },
});

function send(message) {
  channel.send(message);
}

// Capture console output per invocation (the Lambda runtime does the same, tagging each line
// with the request id). Lines logged outside an invocation (at init) carry id null.
for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
  console[level] = (...args) => send({ type: 'log', id: currentId, level: level === 'log' ? 'info' : level, text: format(...args) });
}
for (const [stream, level] of [[process.stdout, 'info'], [process.stderr, 'error']]) {
  stream.write = (chunk, encoding, cb) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    // One write may carry several lines (the runtime writes a turn's lines at once): a log
    // record per line, as CloudWatch shows them.
    for (const line of text.replace(/\n$/, '').split('\n')) send({ type: 'log', id: currentId, level, text: line });
    if (typeof encoding === 'function') encoding();
    else if (typeof cb === 'function') cb();
    return true;
  };
}

function serializeError(error, fallbackType) {
  if (error instanceof Error) {
    return {
      errorType: error.name && error.name !== 'Error' ? error.name : (error.constructor?.name ?? fallbackType),
      errorMessage: error.message,
      stackTrace: (error.stack ?? '').split('\n').slice(1).map((l) => l.trim()),
    };
  }
  return { errorType: fallbackType, errorMessage: typeof error === 'string' ? error : JSON.stringify(error) ?? String(error), stackTrace: [] };
}

/** Finds `<module>.{js,mjs,cjs}` for a handler string `dir/module.export.path`. */
function locateHandler() {
  const slash = handler.lastIndexOf('/');
  const dir = handler.slice(0, slash + 1);
  const rest = handler.slice(slash + 1);
  const dot = rest.indexOf('.');
  if (dot <= 0) throw Object.assign(new Error(`Bad handler ${handler}: expected "file.export"`), { name: 'Runtime.MalformedHandlerName' });
  const base = resolvePath(codeDir, dir + rest.slice(0, dot));
  const exportPath = rest.slice(dot + 1).split('.');
  for (const ext of ['.js', '.mjs', '.cjs']) {
    if (existsSync(base + ext)) return { file: base + ext, exportPath };
  }
  throw Object.assign(new Error(`Cannot find module '${dir + rest.slice(0, dot)}' in ${codeDir} (tried .js, .mjs, .cjs)`), { name: 'Runtime.ImportModuleError' });
}

/** True when `file`'s module type is decided by a package.json inside the code folder. */
function hasOwnPackageJson(file) {
  for (let d = dirname(file); d.startsWith(codeDir); d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return true;
    if (d === dirname(d)) break;
  }
  return false;
}

async function loadModule(file) {
  // On Lambda a .js file with no package.json of its own is CommonJS (unless it uses ESM
  // syntax). Locally the code folder may sit inside a project whose package.json says
  // "type": "module", which would flip it: compile such CommonJS files explicitly.
  if (file.endsWith('.js') && !hasOwnPackageJson(file)) {
    const source = readFileSync(file, 'utf8');
    if (!/^\s*(import\s|import\{|export\s|export\{)/m.test(source)) {
      const mod = new Module(file);
      mod.filename = file;
      mod.paths = Module._nodeModulePaths(dirname(file));
      mod._compile(source, file);
      return mod.exports;
    }
  }
  if (file.endsWith('.cjs')) return createRequire(file)(file);
  return import(pathToFileURL(file).href);
}

let handlerFn;
try {
  const { file, exportPath } = locateHandler();
  const mod = await loadModule(file);
  let fn = mod;
  for (const key of exportPath) fn = fn?.[key];
  if (typeof fn !== 'function' && mod?.default && typeof mod.default === 'object') {
    fn = mod.default;
    for (const key of exportPath) fn = fn?.[key];
  }
  if (typeof fn !== 'function') {
    throw Object.assign(new Error(`${handler} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  }
  handlerFn = fn;
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'init-error', error: serializeError(error, 'Runtime.ImportModuleError') });
}

function makeContext(c) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: c.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: c.invokedFunctionArn,
    memoryLimitInMB: String(c.memoryLimitInMB),
    awsRequestId: c.awsRequestId,
    logGroupName: c.logGroupName,
    logStreamName: c.logStreamName,
    // The deadline is wall time (the engine enforces the timeout on wall time).
    getRemainingTimeInMillis: () => Math.max(0, c.deadlineMs - wallNow()),
    done: () => {}, fail: () => {}, succeed: () => {},
  };
}

channel.onMessage(async (message) => {
  if (message.type !== 'invoke' || !handlerFn) return;
  currentId = message.id;
  if (typeof message.now === 'number') shiftMs = message.now - wallNow();
  const context = makeContext(message.context);
  try {
    let value;
    if (handlerFn.length >= 3) {
      // Callback-style handler (older runtimes): resolve on the callback.
      value = await new Promise((resolveCb, rejectCb) => {
        const maybe = handlerFn(message.event, context, (err, result) => (err ? rejectCb(err) : resolveCb(result)));
        if (maybe && typeof maybe.then === 'function') maybe.then(resolveCb, rejectCb);
      });
    } else {
      value = await handlerFn(message.event, context);
    }
    // Lambda serializes the response as JSON: undefined becomes null.
    send({ type: 'result', id: message.id, ok: true, value: value === undefined ? null : JSON.parse(JSON.stringify(value) ?? 'null') });
  } catch (error) {
    send({ type: 'result', id: message.id, ok: false, error: serializeError(error, 'Error') });
  } finally {
    currentId = null;
  }
});
