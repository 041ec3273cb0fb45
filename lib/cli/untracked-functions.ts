/**
 * The Lambda functions of an assembly whose code the synth cache cannot follow: those not
 * declared by a Busline subscription (a lambda.Function with Code.fromAsset, a NodejsFunction).
 * Their source folders are not in the assembly, so an edit to them would go unnoticed.
 */
import { loadFlowContext } from './flow-context.ts';

/** The logical ids of the functions no Busline subscription declares. */
export function untrackedFunctions(assemblyDir: string): string[] {
  const context = loadFlowContext(assemblyDir);
  const declared = new Set(context.subscriptions.map((s) => s.functionName));
  return context.model.functions.filter((f) => !declared.has(f.name)).map((f) => f.logicalId);
}
