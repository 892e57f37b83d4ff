import { buildPostgresFixture } from './fixtures/build.ts';
import { importSuite } from './suite.ts';

importSuite('PostgreSQL', buildPostgresFixture);
