/**
 * The assembly `busline dev` runs when it is not given one: the app synthesized, or its cached
 * synth when nothing it was made of changed; one line says which, and why it synthesized.
 */
import { defaultSynthCacheDir } from '../assembly-cache/assembly-store.ts';
import { cachedSynth, describeSynth } from './cached-synth.ts';

/** Where `busline dev` caches synthesized assemblies when not told otherwise (default: the project's node_modules/.cache/busline/synth). */
export const SYNTH_CACHE_ENV = 'BUSLINE_SYNTH_CACHE';

export interface DevAssemblyOptions {
  readonly projectDir: string;
  readonly app?: string;
  readonly synthCacheDir?: string;
}

export async function devAssembly(options: DevAssemblyOptions, print: (line: string) => void): Promise<string> {
  const result = await cachedSynth({
    projectDir: options.projectDir,
    cacheDir: options.synthCacheDir ?? process.env[SYNTH_CACHE_ENV] ?? defaultSynthCacheDir(options.projectDir),
    ...(options.app ? { app: options.app } : {}),
  });
  print(describeSynth(result));
  return result.dir;
}
