import { buildSqliteFixture } from './fixtures/build.ts';
import { importSuite } from './suite.ts';

importSuite('SQLite', buildSqliteFixture);
