export { readCloudAssembly, CloudAssemblyError, type CloudAssembly, type AssemblyStack } from './cloud-assembly.ts';
export { loadAppModel, functionNameOf, type LoadOptions } from './load-app-model.ts';
export { generatedName } from './physical-names.ts';
export { StackResolver, UnresolvableError, busNameOf } from './intrinsics.ts';
export type * from './app-model.ts';
export { formatWarnings } from './format-warnings.ts';
