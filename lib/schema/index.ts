/**
 * Schema tooling: one declaration (schemas/<topic>/v<N>.json) drives types, validation, the
 * compatibility gate, the schema registry and the event catalog. Tools only: nothing here is
 * bundled into Lambda functions.
 */
export { loadSchemas, SchemaLoadError, type JsonSchema, type SchemaVersion, type TopicSchemas } from './schema-set.ts';
export { generateValidatorModule, SchemaCompileError, AJV_OPTIONS } from './validator-codegen.ts';
export { FLOW_MANIFEST_METADATA_KEY, type FlowManifest, type FlowTopic, type FlowSubscription, type FlowPublisher } from './flow-manifest.ts';
export {
  acceptedVersions,
  breakingChanges,
  declaredMode,
  directionsOf,
  isCompatibilityMode,
  COMPATIBILITY_KEYWORD,
  COMPATIBILITY_MODES,
  DEFAULT_COMPATIBILITY_MODE,
  CompatibilityModeError,
  type BreakingChange,
  type CompatibilityMode,
} from './compatibility.ts';
export { diffSchemas, type ChangeKind, type Direction, type SchemaChange } from './schema-diff.ts';
export { runCompatibilityGate, violationMessage, type GateInput, type GateResult, type GateViolation, type GateComparison } from './compatibility-gate.ts';
export { gitBase, GitBaseError, type GitBase } from './git-base.ts';
export { checkArchivedEvents, readArchivedEvents, ArchiveReadError, type ArchivedEvent, type ArchiveFinding } from './archive-check.ts';
export { readFlowManifests, synthesizeAssembly, loadFlows, partiesOf, FlowAssemblyError, type FoundFlow, type TopicParties } from './flow-assembly.ts';
export { generateTypesModule, typeNameOf, TypeCodegenError } from './type-codegen.ts';
export { toDraft4, DRAFT4_URI, Draft4ConversionError } from './draft4.ts';
export { renderCatalog, type CatalogInput } from './catalog.ts';
export { renderGraph, describeFilter, GRAPH_FORMATS, type GraphFormat } from './flow-graph.ts';
