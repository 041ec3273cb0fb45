/** Runs `busline` in this process (lib/cli/main.ts) and collects what it wrote to stderr through console.error. */
import { main } from '../../../lib/cli/main.ts';

export async function errorsOf(argv: string[]): Promise<{ code: number; text: string }> {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => { errors.push(args.join(' ')); };
  try {
    return { code: await main(argv), text: errors.join('\n') };
  } finally {
    console.error = original;
  }
}
