// The kit checked against itself: the reference backend must pass its own conformance suite.
import { referencePlugin } from '@tessera/core/testing';
import { runConformance } from '../src';

runConformance(referencePlugin);
