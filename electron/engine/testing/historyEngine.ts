import type { HistoryEngine } from '../../store/testing/history/shape.ts';
import { fingerprint } from '../fingerprint.ts';

/** The engine's part of a filled history (store/testing/history/): its fingerprints. */
export const HISTORY_ENGINE: HistoryEngine = { fingerprint };
