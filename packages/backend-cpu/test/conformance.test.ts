// The CPU backend runs the same conformance suite as every other backend.
import { runConformance } from '@tessera/backend-conformance';
import { cpuPlugin } from '../src/plugin';

runConformance(cpuPlugin);
