/**
 * EventBridge over the JSON 1.1 protocol (`X-Amz-Target: AWSEvents.<Action>`). Errors have
 * body `{"__type": "<Name>", "message"}` and HTTP 400. Timestamps are epoch seconds.
 */
import { EventBridgeError } from '../eventbridge/errors.ts';
import type { EventBusService } from '../eventbridge/event-bus-service.ts';
import type { PutEventsRequestEntry, RuleDefinition, TargetDefinition } from '../eventbridge/types.ts';
import { WireError, type ActionHandler } from './protocol.ts';

type Input = Record<string, unknown>;

export function toWireError(error: unknown): WireError | undefined {
  if (error instanceof EventBridgeError) return new WireError(error.type, error.message, error.httpStatus);
  return undefined;
}

function str(input: Input, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new EventBridgeError('ValidationException', `1 validation error detected: Value null at '${lowerFirst(name)}' failed to satisfy constraint: Member must not be null.`);
  }
  return value;
}

function optional(input: Input, name: string): string | undefined {
  const value = input[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function ruleView(rule: RuleDefinition & { Arn?: string }, arn: string): Record<string, unknown> {
  return {
    Name: rule.Name,
    Arn: arn,
    EventPattern: rule.EventPattern,
    State: rule.State ?? 'ENABLED',
    ...(rule.Description !== undefined && { Description: rule.Description }),
    EventBusName: rule.EventBusName ?? 'default',
  };
}

export function eventBridgeActions(events: EventBusService): Record<string, ActionHandler> {
  const replays = new Map<string, Record<string, unknown>>();
  return {
    async StartReplay(input) {
      const name = str(input, 'ReplayName');
      const archiveArn = str(input, 'EventSourceArn');
      const destination = (input['Destination'] ?? {}) as { Arn?: unknown; FilterArns?: unknown };
      if (typeof destination.Arn !== 'string') {
        throw new EventBridgeError('ValidationException', "1 validation error detected: Value null at 'destination.arn' failed to satisfy constraint: Member must not be null.");
      }
      const from = input['EventStartTime'];
      const to = input['EventEndTime'];
      if (typeof from !== 'number' || typeof to !== 'number') {
        throw new EventBridgeError('ValidationException', 'EventStartTime and EventEndTime are required (timestamps).');
      }
      if (replays.has(name)) throw new EventBridgeError('ResourceAlreadyExistsException', `Replay ${name} already exists.`);
      const filterArns = Array.isArray(destination.FilterArns) ? (destination.FilterArns as string[]) : undefined;
      const started = Date.now();
      const result = await events.replayFromArchive({
        archiveArn,
        busArn: destination.Arn,
        from: new Date(from * 1000),
        to: new Date(to * 1000),
        replayName: name,
        ruleNames: filterArns?.map((arn) => arn.slice(arn.lastIndexOf('/') + 1)),
      });
      const replayArn = events.replayArn(name);
      replays.set(name, {
        ReplayName: name,
        ReplayArn: replayArn,
        EventSourceArn: archiveArn,
        Destination: input['Destination'],
        State: 'COMPLETED',
        StateReason: `Replayed ${result.eventCount} events.`,
        EventStartTime: from,
        EventEndTime: to,
        EventLastReplayedTime: to,
        ReplayStartTime: Math.floor(started / 1000),
        ReplayEndTime: Math.floor(Date.now() / 1000),
      });
      return { ReplayArn: replayArn, State: 'COMPLETED', StateReason: `Replayed ${result.eventCount} events.`, ReplayStartTime: Math.floor(started / 1000) };
    },
    DescribeReplay(input) {
      const name = str(input, 'ReplayName');
      const replay = replays.get(name);
      if (!replay) throw new EventBridgeError('ResourceNotFoundException', `Replay ${name} does not exist.`);
      return replay;
    },
    async PutEvents(input) {
      const entries = input['Entries'];
      if (!Array.isArray(entries)) throw new EventBridgeError('ValidationException', "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null.");
      const converted: PutEventsRequestEntry[] = entries.map((raw: Input) => {
        const time = raw?.['Time'];
        return {
          ...raw,
          ...(typeof time === 'number' && { Time: new Date(time * 1000) }),
        } as PutEventsRequestEntry;
      });
      return events.putEvents(converted);
    },
    TestEventPattern(input) {
      return { Result: events.testEventPattern(str(input, 'EventPattern'), str(input, 'Event')) };
    },
    ListEventBuses(input) {
      const limit = typeof input['Limit'] === 'number' ? input['Limit'] : 100;
      return {
        EventBuses: events
          .listBuses(optional(input, 'NamePrefix'))
          .slice(0, limit)
          .map((b) => ({ Name: b.Name, Arn: b.Arn, CreationTime: Math.floor(b.CreationTime.getTime() / 1000) })),
      };
    },
    ListRules(input) {
      const bus = optional(input, 'EventBusName');
      const limit = typeof input['Limit'] === 'number' ? input['Limit'] : 100;
      return {
        Rules: events
          .listRules(bus, optional(input, 'NamePrefix'))
          .slice(0, limit)
          .map((r) => ruleView(r, events.ruleArn(r.EventBusName ?? 'default', r.Name))),
      };
    },
    DescribeRule(input) {
      const rule = events.describeRule(optional(input, 'EventBusName'), str(input, 'Name'));
      return { ...ruleView(rule, rule.Arn), CreatedBy: '000000000000' };
    },
    ListTargetsByRule(input) {
      return { Targets: events.listTargets(optional(input, 'EventBusName'), str(input, 'Rule')) };
    },
    CreateEventBus(input) {
      return { EventBusArn: events.createBus(str(input, 'Name')).arn };
    },
    PutRule(input) {
      const definition: RuleDefinition = {
        Name: str(input, 'Name'),
        EventBusName: optional(input, 'EventBusName'),
        EventPattern: str(input, 'EventPattern'),
        State: optional(input, 'State'),
        Description: optional(input, 'Description'),
      };
      return { RuleArn: events.putRule(definition).arn };
    },
    PutTargets(input) {
      const targets = input['Targets'];
      if (!Array.isArray(targets) || targets.length === 0) {
        throw new EventBridgeError('ValidationException', "1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length greater than or equal to 1.");
      }
      events.putTargets(optional(input, 'EventBusName'), str(input, 'Rule'), targets as TargetDefinition[]);
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    RemoveTargets(input) {
      const ids = Array.isArray(input['Ids']) ? (input['Ids'] as string[]) : [];
      events.removeTargets(optional(input, 'EventBusName'), str(input, 'Rule'), ids);
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
  };
}
