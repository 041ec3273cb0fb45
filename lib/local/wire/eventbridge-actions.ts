/**
 * EventBridge over the JSON 1.1 protocol (`X-Amz-Target: AWSEvents.<Action>`). Errors have
 * body `{"__type": "<Name>", "message"}` and HTTP 400. Timestamps are epoch seconds.
 */
import { EventBridgeError } from '../eventbridge/errors.ts';
import type { EventBusService } from '../eventbridge/event-bus-service.ts';
import type { PutEventsRequestEntry, RuleDefinition, TargetDefinition } from '../eventbridge/types.ts';
import { WireError, type ActionHandler } from './protocol.ts';
import type { Chaos } from '../chaos/chaos.ts';
import { putEventsWithFaults } from '../chaos/eventbridge-faults.ts';

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

function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/**
 * One page of a List* answer: `Limit` 1–100 (default 100), and `NextToken` an opaque token
 * naming the last key returned (items keep their declaration order, as before pagination).
 */
function page<T>(items: readonly T[], input: Input, key: (item: T) => string): { items: T[]; NextToken?: string } {
  const limit = input['Limit'] ?? 100;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new EventBridgeError('ValidationException', `1 validation error detected: Value '${String(limit)}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100.`);
  }
  let start = 0;
  const token = input['NextToken'];
  if (token !== undefined && token !== null) {
    let after: unknown;
    try {
      after = (JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as { after?: unknown }).after;
    } catch {
      after = undefined;
    }
    const index = typeof after === 'string' ? items.findIndex((item) => key(item) === after) : -1;
    if (index < 0) throw new EventBridgeError('ValidationException', 'The NextToken is not valid (or its item was deleted): pass the NextToken of the previous answer, unchanged.');
    start = index + 1;
  }
  const slice = items.slice(start, start + limit);
  if (start + limit >= items.length) return { items: slice };
  return { items: slice, NextToken: Buffer.from(JSON.stringify({ after: key(slice.at(-1)!) })).toString('base64url') };
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

/** The EventBridge actions; with `chaos`, PutEvents from the flow's functions gets the chaos mode's throttling and partial failures. */
export function eventBridgeActions(events: EventBusService, chaos?: Chaos): Record<string, ActionHandler> {
  const declarations = events.declarations;
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
      const filterArns = destination.FilterArns ?? undefined;
      if (filterArns !== undefined && !(Array.isArray(filterArns) && filterArns.every((arn) => typeof arn === 'string'))) {
        throw new EventBridgeError('ValidationException', "1 validation error detected: Value at 'destination.filterArns' failed to satisfy constraint: Member must be a list of rule ARNs (strings).");
      }
      const started = events.clock.now();
      const result = await events.replayFromArchive({
        archiveArn,
        busArn: destination.Arn,
        from: new Date(from * 1000),
        to: new Date(to * 1000),
        replayName: name,
        ruleNames: (filterArns as readonly string[] | undefined)?.map((arn) => arn.slice(arn.lastIndexOf('/') + 1)),
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
        ReplayEndTime: Math.floor(events.clock.now() / 1000),
      });
      return { ReplayArn: replayArn, State: 'COMPLETED', StateReason: `Replayed ${result.eventCount} events.`, ReplayStartTime: Math.floor(started / 1000) };
    },
    DescribeReplay(input) {
      const name = str(input, 'ReplayName');
      const replay = replays.get(name);
      if (!replay) throw new EventBridgeError('ResourceNotFoundException', `Replay ${name} does not exist.`);
      return replay;
    },
    async PutEvents(input, context) {
      const entries = input['Entries'];
      if (!Array.isArray(entries)) throw new EventBridgeError('ValidationException', "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null.");
      // An entry is copied only to turn its Time (epoch seconds) into a Date, or when it is no object.
      const converted: PutEventsRequestEntry[] = entries.map((raw: Input) => {
        const time = raw?.['Time'];
        if (raw !== null && typeof raw === 'object' && typeof time !== 'number') return raw as PutEventsRequestEntry;
        return {
          ...raw,
          ...(typeof time === 'number' && { Time: new Date(time * 1000) }),
        } as PutEventsRequestEntry;
      });
      const principal = context.caller ? { principal: context.caller.arn } : {};
      // The faults strike the flow's own publishes: a call from outside the flow (the account's
      // administrator: a test's input, the CLI's publish) is never refused.
      const faulted = chaos && !context.caller?.administrator ? chaos : undefined;
      return faulted ? putEventsWithFaults(faulted, converted, (e) => events.putEvents(e, principal)) : events.putEvents(converted, principal);
    },
    TestEventPattern(input) {
      return { Result: events.testEventPattern(str(input, 'EventPattern'), str(input, 'Event')) };
    },
    ListEventBuses(input) {
      const buses = declarations.listBuses(optional(input, 'NamePrefix') ?? '');
      const { items, NextToken } = page(buses, input, (b) => b.name);
      return { EventBuses: items.map((b) => ({ Name: b.name, Arn: b.arn, CreationTime: seconds(b.createdAt), LastModifiedTime: seconds(b.modifiedAt), ...(b.policy !== undefined && { Policy: b.policy }) })), ...(NextToken && { NextToken }) };
    },
    DescribeEventBus(input) {
      const bus = declarations.bus(optional(input, 'Name'));
      return { Name: bus.name, Arn: bus.arn, CreationTime: seconds(bus.createdAt), LastModifiedTime: seconds(bus.modifiedAt), ...(bus.policy !== undefined && { Policy: bus.policy }) };
    },
    async CreateEventBus(input) {
      const bus = declarations.createBus(str(input, 'Name'), { mustBeNew: true });
      await declarations.durable();
      return { EventBusArn: bus.arn };
    },
    async DeleteEventBus(input) {
      declarations.deleteBus(str(input, 'Name'));
      await declarations.durable();
      return {};
    },
    async PutPermission(input) {
      const bus = optional(input, 'EventBusName');
      const policy = optional(input, 'Policy');
      if (policy !== undefined) declarations.putPolicy(bus, policy);
      else {
        declarations.putPermission(bus, {
          StatementId: input['StatementId'] as string,
          Action: input['Action'] as string,
          Principal: input['Principal'] as string,
          ...(input['Condition'] !== undefined && { Condition: input['Condition'] as { Type?: string; Key?: string; Value?: string } }),
        });
      }
      await declarations.durable();
      return {};
    },
    async RemovePermission(input) {
      declarations.removePermission(optional(input, 'EventBusName'), optional(input, 'StatementId'), input['RemoveAllPermissions'] === true);
      await declarations.durable();
      return {};
    },
    ListRules(input) {
      const rules = declarations.listRules(optional(input, 'EventBusName'), optional(input, 'NamePrefix') ?? '');
      const { items, NextToken } = page(rules, input, (r) => r.name);
      return { Rules: items.map((r) => ruleView(r.definition, r.arn)), ...(NextToken && { NextToken }) };
    },
    DescribeRule(input) {
      const rule = declarations.rule(optional(input, 'EventBusName'), str(input, 'Name'));
      return { ...ruleView(rule.definition, rule.arn), CreatedBy: rule.arn.split(':')[4] };
    },
    ListTargetsByRule(input) {
      const targets = declarations.listTargets(optional(input, 'EventBusName'), str(input, 'Rule'));
      const { items, NextToken } = page(targets, input, (t) => t.Id);
      return { Targets: items, ...(NextToken && { NextToken }) };
    },
    ListRuleNamesByTarget(input) {
      const names = declarations.ruleNamesByTarget(optional(input, 'EventBusName'), str(input, 'TargetArn'));
      const { items, NextToken } = page(names, input, (n) => n);
      return { RuleNames: items, ...(NextToken && { NextToken }) };
    },
    async PutRule(input) {
      const definition: RuleDefinition = {
        Name: str(input, 'Name'),
        EventBusName: optional(input, 'EventBusName'),
        // Optional here so that a rule with only a ScheduleExpression gets the engine's own
        // message (schedule rules are not run locally), not "must not be null".
        EventPattern: optional(input, 'EventPattern') ?? '',
        State: optional(input, 'State'),
        Description: optional(input, 'Description'),
      };
      const rule = declarations.putRule(definition);
      await declarations.durable();
      return { RuleArn: rule.arn };
    },
    async DeleteRule(input) {
      declarations.deleteRule(optional(input, 'EventBusName'), str(input, 'Name'));
      await declarations.durable();
      return {};
    },
    async EnableRule(input) {
      declarations.setRuleState(optional(input, 'EventBusName'), str(input, 'Name'), true);
      await declarations.durable();
      return {};
    },
    async DisableRule(input) {
      declarations.setRuleState(optional(input, 'EventBusName'), str(input, 'Name'), false);
      await declarations.durable();
      return {};
    },
    async PutTargets(input) {
      const targets = input['Targets'];
      if (!Array.isArray(targets) || targets.length === 0) {
        throw new EventBridgeError('ValidationException', "1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length greater than or equal to 1.");
      }
      declarations.putTargets(optional(input, 'EventBusName'), str(input, 'Rule'), targets as TargetDefinition[]);
      await declarations.durable();
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    async RemoveTargets(input) {
      const ids = Array.isArray(input['Ids']) ? (input['Ids'] as string[]) : [];
      declarations.removeTargets(optional(input, 'EventBusName'), str(input, 'Rule'), ids);
      await declarations.durable();
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
  };
}
