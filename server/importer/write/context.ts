import type { Transaction } from 'kysely';
import type { Database } from '../../../db/schema.ts';
import type { ReportBuilder } from '../report.ts';

export interface WriteContext {
  tx: Transaction<Database>;
  rb: ReportBuilder;
  actor: string;
  progress: (phase: string, done: number, total: number) => void;
}
