import { startWorkerdTarget } from '../helpers/workerd-target.js';
import { conformanceSuite } from './suite.js';

conformanceSuite('workerd', startWorkerdTarget);
