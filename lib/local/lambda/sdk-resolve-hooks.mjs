// Module resolution hooks registered inside each function's worker thread. Lambda's Node.js
// runtime provides the AWS SDK v3 (@aws-sdk/*), so bundles mark it external; when a function's
// code folder cannot resolve it, fall back to the copy installed next to the engine, as the
// runtime's /var/runtime/node_modules would. Plain JS: hooks run on Node's loader thread,
// outside tsx.
let fallbackParent;

export function initialize(data) {
  fallbackParent = data.fallbackParentUrl;
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (!specifier.startsWith('@aws-sdk/') || !fallbackParent) throw error;
    return nextResolve(specifier, { ...context, parentURL: fallbackParent });
  }
}
