/**
 * Splits an invocation's log lines between the messages of its batch, so each message's
 * journal record carries its own lines: a line naming one of a message's ids (SQS message id,
 * EventBridge event id, Busline envelope id) belongs to that message; a line naming none
 * (start-up notices, metric summaries) goes to every message. Without this, each record of a
 * 10-message batch would carry all ten messages' lines (ten times the journal volume).
 *
 * An id must appear as a whole token (not preceded or followed by a letter, digit, `-` or
 * `_`): envelope ids are often short ("evt-1"), and "evt-1" must not claim the line of
 * "evt-12".
 */
export function logsPerMessage(logs: readonly string[], idsPerMessage: readonly (readonly string[])[]): string[][] {
  const out = idsPerMessage.map((): string[] => []);
  for (const line of logs) {
    let owner = -1;
    for (let i = 0; i < idsPerMessage.length && owner < 0; i++) {
      for (const id of idsPerMessage[i]!) {
        if (id && containsToken(line, id)) { owner = i; break; }
      }
    }
    if (owner >= 0) out[owner]!.push(line);
    else for (const list of out) list.push(line);
  }
  return out;
}

const TOKEN_CHAR = /[A-Za-z0-9_-]/;

/** True when `id` occurs in `line` with no token character right before or after it. */
export function containsToken(line: string, id: string): boolean {
  for (let at = line.indexOf(id); at >= 0; at = line.indexOf(id, at + 1)) {
    const before = at > 0 ? line[at - 1]! : '';
    const after = at + id.length < line.length ? line[at + id.length]! : '';
    if (!TOKEN_CHAR.test(before) && !TOKEN_CHAR.test(after)) return true;
  }
  return false;
}
