import { startNodeTarget } from '../helpers/targets.js';
import { conformanceSuite } from './suite.js';

conformanceSuite('node', startNodeTarget);
