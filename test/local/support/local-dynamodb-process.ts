/**
 * Runs the engine's DynamoDB backend alone, in its own process, on the LevelDB folder given as
 * the first argument; prints `{"endpoint": ...}` once listening. Tests kill it with SIGKILL.
 */
import { startLocalDynamoDb } from '../../../lib/local/dynamodb/start-local-dynamodb.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: local-dynamodb-process.ts <leveldb folder>');
const local = await startLocalDynamoDb({ path });
process.stdout.write(`${JSON.stringify({ endpoint: local.endpoint })}\n`);
