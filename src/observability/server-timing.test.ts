import { describe, expect, it } from 'vitest';
import { serverTimingHeader } from './server-timing.js';

describe('Server-Timing', () => {
  it('lists the metrics that ran, then the total', () => {
    expect(serverTimingHeader({ authMs: 0.52, upstreamMs: 3.1 }, 4.567)).toBe(
      'auth;dur=0.52, upstream;dur=3.1, total;dur=4.57',
    );
    expect(serverTimingHeader({}, 0.1234)).toBe('total;dur=0.12');
  });
});
