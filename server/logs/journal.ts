// Crash safety for the batch writer: every settled call is appended to a local journal
// before its response leaves the gateway, and a journal segment is deleted only after the
// flush that covers it has committed. Segments left behind by a killed process are
// replayed on the next start through the writer's idempotent commit.
//
// Appends are group-committed: the lines of every call settled in one event-loop turn go
// out in one write(2) on an open fd, and `append` returns a promise that resolves once
// that write is done. The relay awaits it before the response (or a stream's end) leaves,
// so an acknowledged call is in the OS page cache and survives `kill -9` of the process.
// Surviving an OS crash or power loss also needs fsync, a disk round trip per group:
// JOURNAL_FSYNC=1 turns it on.
// One gateway process per DATA_DIR: a starting process replays whatever segments it finds.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger.ts';
import { decodeSettled, type Queued } from './call-record.ts';

const SEGMENT = /^(\d+)\.jsonl$/;

export class Journal {
  private generation = 0;
  private fd = -1;
  /** Appended to since the last rotation (a failing flush retrying must not pile up empty segments). */
  private written = false;
  /** Segments up to this one failed to replay: kept for the next start, never released. */
  private kept = 0;
  /** Lines appended in this event-loop turn, written together by `drain`. */
  private pending: string[] = [];
  private group: PromiseWithResolvers<void> | null = null;

  constructor(private readonly dir: string, private readonly fsync: boolean, private readonly log?: Logger) {
    mkdirSync(dir, { recursive: true });
  }

  /** Segments on disk, oldest first (before `open`: those a previous process left behind). */
  segments(): number[] {
    return readdirSync(this.dir).flatMap((f) => { const m = SEGMENT.exec(f); return m ? [Number(m[1])] : []; }).sort((a, b) => a - b);
  }

  /** The settled calls recorded in one segment; a torn last line (killed mid-write) is skipped. */
  read(generation: number): Queued[] {
    const out: Queued[] = [];
    for (const line of readFileSync(this.path(generation), 'utf8').split('\n')) {
      if (!line) continue;
      try { out.push(decodeSettled(line)); } catch { /* only the line being written at the kill can be partial */ }
    }
    return out;
  }

  /** Start appending to a segment after every existing one. */
  open(keepUpTo = 0): void {
    this.kept = keepUpTo;
    this.generation = Math.max(0, ...this.segments()) + 1;
    this.fd = openSync(this.path(this.generation), 'a');
  }

  /**
   * Queue one encoded call (a line without its newline) for this turn's group write; the
   * promise resolves once it is on disk. Before `open` or after `close` there is nothing to
   * append to (the writer is not serving): null.
   */
  append(line: string): Promise<void> | null {
    if (this.fd < 0) return null;
    this.pending.push(line);
    if (!this.group) {
      this.group = Promise.withResolvers<void>();
      setImmediate(() => this.drain());
    }
    return this.group.promise;
  }

  /** Write the pending group. A failing disk is logged, not thrown: the call is still queued for Postgres, only its crash safety is lost. */
  private drain(): void {
    const group = this.group;
    if (!group) return;
    this.group = null;
    const lines = this.pending;
    this.pending = [];
    try {
      if (this.fd >= 0) {
        writeSync(this.fd, lines.join('\n') + '\n');
        this.written = true;
        if (this.fsync) fsyncSync(this.fd);
      }
    } catch (error) {
      this.log?.error('writing the call journal failed; these calls are not crash-safe', { error, calls: lines.length });
    }
    group.resolve();
  }

  /** Start a new segment; returns the generation that is now sealed (it and all before it). */
  rotate(): number {
    const sealed = this.generation;
    if (this.fd < 0) return sealed;
    // Lines of calls already queued belong with them in the sealed segment.
    this.drain();
    if (!this.written) return sealed - 1;
    this.written = false;
    closeSync(this.fd);
    this.generation += 1;
    this.fd = openSync(this.path(this.generation), 'a');
    return sealed;
  }

  /** Everything in segments up to `generation` is committed: drop them. */
  release(generation: number): void {
    for (const g of this.segments()) if (g > this.kept && g <= generation) rmSync(this.path(g), { force: true });
  }

  /** Clean shutdown after the final flush: the open segment holds nothing uncommitted. */
  close(): void {
    if (this.fd < 0) return;
    this.drain();
    closeSync(this.fd);
    this.fd = -1;
    this.release(this.generation);
  }

  private path(generation: number): string {
    return join(this.dir, `${String(generation).padStart(12, '0')}.jsonl`);
  }
}
