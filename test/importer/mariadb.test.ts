import { buildMysqlFixture } from './fixtures/build.ts';
import { importSuite } from './suite.ts';

importSuite('MariaDB', buildMysqlFixture);
