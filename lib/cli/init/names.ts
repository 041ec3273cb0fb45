/**
 * The names `busline init` derives from a topic and the app's package name: the EventBridge
 * source, the subscription (which names the handler file), and the identifiers of the code it
 * writes. Each follows the rule the constructs enforce for it.
 */

/** EventFlow's rule for topic names (the detail-type and the schemas folder). */
export const TOPIC_NAME = /^[a-z0-9][a-z0-9._-]*$/;
/** EventFlow's rule for sources. */
export const SOURCE = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
/** The topic `busline init` declares when none is given. */
export const DEFAULT_TOPIC = 'user.signed-up';

export interface InitNames {
  readonly topic: string;
  readonly source: string;
  /** Subscription name: lower-case words joined by `-` (the constructs' rule); also the handler file's name. */
  readonly subscription: string;
  /** Variable holding the topic in the stack, e.g. `userSignedUp`. */
  readonly topicVariable: string;
  /** The handler function's name, e.g. `welcomeUser`. */
  readonly handlerFunction: string;
  /** The handler's data parameter, e.g. `user`: the topic's first word. */
  readonly dataParameter: string;
}

/** Words JavaScript does not allow as a variable name. */
const RESERVED = new Set(('break case catch class const continue debugger default delete do else enum export extends false finally for ' +
  'function if import in instanceof let new null return static super switch this throw true try typeof var void while with yield ' +
  'await implements interface package private protected public arguments eval').split(' '));

/** `user.signed-up` → `userSignedUp`; `fallback` when the result is not a usable variable name. */
export function camelCase(name: string, fallback: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  const joined = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() : w.charAt(0).toUpperCase()) + w.slice(1)).join('');
  return /^[A-Za-z_$][\w$]*$/.test(joined) && !RESERVED.has(joined) ? joined : fallback;
}

/** `invoice.paid` → `handle-invoice-paid`; the default topic gets a name saying what its example does. */
export function subscriptionFor(topic: string): string {
  if (topic === DEFAULT_TOPIC) return 'welcome-user';
  return `handle-${topic.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}`;
}

/**
 * A source from the package name: `my-app` → `my-app`, `@acme/shop` → `acme.shop`. Falls back to
 * `fallback` (the folder's name, cleaned the same way) when the name leaves nothing usable.
 */
export function sourceFrom(packageName: string | undefined, fallback: string): string {
  for (const candidate of [packageName, fallback]) {
    if (!candidate) continue;
    const cleaned = candidate.replace(/^@/, '').replace(/\//g, '.').replace(/[^A-Za-z0-9._/-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
    if (SOURCE.test(cleaned) && !cleaned.startsWith('aws.')) return cleaned;
  }
  return 'app';
}

export function initNames(topic: string, source: string): InitNames {
  const subscription = subscriptionFor(topic);
  const topicVariable = camelCase(topic, 'topic');
  const dataParameter = camelCase(topic.split('.')[0] ?? '', 'data');
  return {
    topic,
    source,
    subscription,
    // `flow` and `ctx` are taken by the code around them.
    topicVariable: topicVariable === 'flow' ? 'flowTopic' : topicVariable,
    handlerFunction: camelCase(subscription, 'handler'),
    dataParameter: dataParameter === 'ctx' ? 'data' : dataParameter,
  };
}
