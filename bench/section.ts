import type { TargetRow } from './lib/targets.ts';

/** One table of `npm run bench`: each bench/<area>.bench.ts exports `run(): Promise<BenchSection>`. */
export interface BenchSection {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
  readonly notes?: readonly string[];
  /** Figures of the targets this section measured (bench/lib/targets.ts). */
  readonly targets?: readonly TargetRow[];
}
