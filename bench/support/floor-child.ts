/**
 * The parse-and-fsync floor (bench/lib/floor-endpoint.ts) in a process of its own, as the
 * engine runs in one for the routing bench:
 *   node --import tsx bench/support/floor-child.ts <file>
 * Prints one line {"endpoint": "http://127.0.0.1:<port>"}; SIGTERM closes it cleanly.
 */
import { startFloorEndpoint } from '../lib/floor-endpoint.ts';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: floor-child.ts <file to append events to>\n');
  process.exit(2);
}
const floor = await startFloorEndpoint(file);
process.stdout.write(JSON.stringify({ endpoint: floor.endpoint }) + '\n');
process.once('SIGTERM', () => {
  void floor.close().then(() => process.exit(0));
});
