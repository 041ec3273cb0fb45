/**
 * The archive: every event accepted on a bus, appended durably (group commit) to
 * `<dir>/<bus>.jsonl`, one `{ "event": {...} }` a line. Replay reads it back.
 * Retention drops a bus's events from the start of its file (dropEventsBefore; the engine's
 * retention.ts decides how long each bus keeps them).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AppendFile, readJsonLines } from '../store/append-file.ts';
import { dropOldLines, type DroppedLines } from '../store/drop-old-lines.ts';
import { ensureDir } from '../store/store-fs.ts';
import type { BusEvent } from './types.ts';

export class EventArchive {
  private readonly files = new Map<string, AppendFile>();

  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<EventArchive> {
    await ensureDir(dir);
    return new EventArchive(dir);
  }

  /** Queue the event for the next group commit (await `flush()` before acknowledging). */
  add(bus: string, eventText: string): void {
    this.fileOf(bus).appendRawLazy(`{"event":${eventText}}`);
  }

  /** The buses with an archive file, this run's or an earlier one's. */
  async buses(): Promise<string[]> {
    const names = new Set(this.files.keys());
    for (const file of await readdir(this.dir)) if (file.endsWith('.jsonl')) names.add(decodeURIComponent(file.slice(0, -'.jsonl'.length)));
    return [...names];
  }

  /** Retention: drops the bus's events whose time is before `cutoffMs` from the start of its file. */
  dropEventsBefore(bus: string, cutoffMs: number): Promise<DroppedLines> {
    return dropOldLines(this.fileOf(bus), {
      isOld: (record) => Date.parse((record as { event?: BusEvent }).event?.time ?? '') < cutoffMs,
    });
  }

  /** Resolves when every event added so far is on disk. */
  async flush(): Promise<void> {
    if (this.files.size === 1) return this.files.values().next().value!.flush();
    await Promise.all([...this.files.values()].map((file) => file.flush()));
  }

  /** Archived events of a bus with from <= time < to, oldest first. */
  async read(bus: string, from: Date, to: Date, onEvent: (event: BusEvent) => void): Promise<void> {
    await this.files.get(bus)?.flush();
    const start = from.getTime();
    const end = to.getTime();
    await readJsonLines(this.pathOf(bus), (record) => {
      const event = (record as { event?: BusEvent }).event;
      if (!event) return;
      const time = Date.parse(event.time);
      if (time >= start && time < end) onEvent(event);
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.files.values()].map((file) => file.close()));
    this.files.clear();
  }

  private fileOf(bus: string): AppendFile {
    let file = this.files.get(bus);
    if (!file) {
      file = new AppendFile(this.pathOf(bus));
      this.files.set(bus, file);
    }
    return file;
  }

  private pathOf(bus: string): string {
    return join(this.dir, `${encodeURIComponent(bus)}.jsonl`);
  }
}
