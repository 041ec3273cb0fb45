/**
 * Reading a deployed stack's template and resources the way the CLI needs them: the flow
 * manifests Busline wrote as bus metadata, and which physical resource each logical id is.
 * Nothing is found by guessing names: every name comes from CloudFormation.
 */
import {
  GetTemplateCommand, ListStackResourcesCommand, type CloudFormationClient, type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { FLOW_MANIFEST_METADATA_KEY, type FlowManifest } from '../schema/flow-manifest.ts';

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
}

export interface DeployedStack {
  readonly stackName: string;
  readonly resources: Readonly<Record<string, TemplateResource>>;
  /** Physical id by logical id, for every resource CloudFormation created. */
  readonly physical: ReadonlyMap<string, { readonly id: string; readonly type: string }>;
}

export class StackReadError extends Error {
  override readonly name = 'StackReadError';
}

export async function readDeployedStack(cfn: CloudFormationClient, stackName: string): Promise<DeployedStack> {
  const template = await cfn.send(new GetTemplateCommand({ StackName: stackName }));
  let parsed: { Resources?: Record<string, TemplateResource> };
  try {
    parsed = JSON.parse(template.TemplateBody ?? '') as typeof parsed;
  } catch {
    throw new StackReadError(`the template of stack ${stackName} is not JSON: busline reads the JSON templates \`cdk deploy\` writes`);
  }
  const summaries: StackResourceSummary[] = [];
  let token: string | undefined;
  do {
    const page = await cfn.send(new ListStackResourcesCommand({ StackName: stackName, ...(token ? { NextToken: token } : {}) }));
    summaries.push(...(page.StackResourceSummaries ?? []));
    token = page.NextToken;
  } while (token);
  const physical = new Map<string, { id: string; type: string }>();
  for (const s of summaries) {
    if (s.LogicalResourceId && s.PhysicalResourceId) physical.set(s.LogicalResourceId, { id: s.PhysicalResourceId, type: s.ResourceType ?? '' });
  }
  return { stackName, resources: parsed.Resources ?? {}, physical };
}

/** The flow manifests in the template, with the logical id of the bus each sits on. */
export function flowManifests(stack: DeployedStack): { readonly busLogicalId: string; readonly manifest: FlowManifest }[] {
  return Object.entries(stack.resources).flatMap(([logicalId, r]) => {
    const manifest = r.Metadata?.[FLOW_MANIFEST_METADATA_KEY] as FlowManifest | undefined;
    return r.Type === 'AWS::Events::EventBus' && manifest ? [{ busLogicalId: logicalId, manifest }] : [];
  });
}

/** Logical ids a template value refers to, through Ref and Fn::GetAtt, at any depth. */
export function referencedLogicalIds(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) referencedLogicalIds(v, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Ref' && typeof v === 'string') into.add(v);
      else if (key === 'Fn::GetAtt' && Array.isArray(v) && typeof v[0] === 'string') into.add(v[0]);
      else referencedLogicalIds(v, into);
    }
  }
  return into;
}
