/**
 * `busline graph [--format mermaid|dot] [--assembly <cdk.out>] [--out <file>]`
 *
 * Prints the flow graph (publishers → topics → subscriptions → published topics) as Mermaid
 * or Graphviz DOT, from the flow declaration in the cloud assembly (synthesized when absent).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadFlows } from '../../schema/flow-assembly.ts';
import { GRAPH_FORMATS, renderGraph, type GraphFormat } from '../../schema/flow-graph.ts';
import { parseCommandArgs } from '../args.ts';

const USAGE = 'usage: busline graph [--format mermaid|dot] [--assembly <cdk.out>] [--out <file>]';

/** One line for `busline help`. */
export const summary = 'print the flow graph as Mermaid or Graphviz DOT';

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(USAGE, {
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      format: { type: 'string', default: 'mermaid' },
      assembly: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  if (!(GRAPH_FORMATS as readonly string[]).includes(values.format)) {
    process.stderr.write(`--format ${values.format} is not supported: use one of ${GRAPH_FORMATS.join(', ')}\n${USAGE}\n`);
    return 2;
  }
  try {
    const flows = await loadFlows({ ...(values.assembly !== undefined ? { assembly: values.assembly } : {}), appDir: process.cwd() });
    if (flows.length === 0) {
      process.stderr.write('busline graph: the cloud assembly holds no Busline flow (no resource with Busline::Flow metadata)\n');
      return 1;
    }
    const text = renderGraph(flows.map((f) => f.manifest), values.format as GraphFormat);
    if (values.out !== undefined) {
      const out = resolve(values.out);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, text);
    } else {
      process.stdout.write(text);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`busline graph: ${(err as Error).message}\n`);
    return 1;
  }
}
