// Progress of channel test runs started from the admin API ("test all"), kept in memory
// for polling; finished runs are dropped after an hour.

export type TestKind = 'chat' | 'embeddings' | 'images' | 'speech' | 'transcription';

export interface TestResult {
  channelId: number;
  model: string;
  kind: TestKind;
  stream: boolean;
  success: boolean;
  /** HTTP status of the upstream answer; null when there was none (connection failed). */
  status: number | null;
  latencyMs: number;
  /** The model the upstream says answered. */
  upstreamModel: string | null;
  error: string | null;
}
import { randomToken } from '../secrets/crypto.ts';

export interface TestRun {
  id: string;
  total: number;
  done: number;
  passed: number;
  failed: number;
  results: TestResult[];
  startedAt: Date;
  finishedAt: Date | null;
}

const KEEP_MS = 3_600_000;

export class TestRuns {
  private readonly runs = new Map<string, TestRun>();

  start(total: number): TestRun {
    this.prune();
    const run: TestRun = { id: `run_${randomToken(10)}`, total, done: 0, passed: 0, failed: 0, results: [], startedAt: new Date(), finishedAt: null };
    this.runs.set(run.id, run);
    return run;
  }

  get(id: string): TestRun | undefined {
    return this.runs.get(id);
  }

  private prune(now = Date.now()): void {
    for (const [id, r] of this.runs) if (r.finishedAt && now - r.finishedAt.getTime() > KEEP_MS) this.runs.delete(id);
  }
}
