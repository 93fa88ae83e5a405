import pkg from '../../../package.json' with { type: 'json' };
import type { HistoryEngine } from '../../store/testing/history/shape.ts';
import { fingerprint } from '../fingerprint.ts';

/** The engine's part of a filled history (store/testing/history/): its fingerprints, and this version as its worker's. */
export const HISTORY_ENGINE: HistoryEngine = { fingerprint, version: pkg.version };
