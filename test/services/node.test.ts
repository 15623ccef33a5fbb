import { startNodeTarget } from '../helpers/targets.js';
import { servicesSuite } from './suite.js';

servicesSuite('node', startNodeTarget);
