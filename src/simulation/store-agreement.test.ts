import { MemoryPoolStore } from '../pool/memory-pool-store';
import { simulateSite } from './simulate-site';
import { DEFAULT_POLICY, DEFAULT_TRAFFIC, type SimulationSettings } from './simulation-settings';
import { differences } from './store-agreement';

const SETTINGS: SimulationSettings = { seed: 1, days: 0.25, poolSize: 20, traffic: { ...DEFAULT_TRAFFIC, peakVisitsPerHour: 60 }, policy: DEFAULT_POLICY };

describe('differences', () => {
  it('when two runs are identical, then there is none; when a count differs, then its path is named', async () => {
    const a = await simulateSite(new MemoryPoolStore(), SETTINGS);
    const b = await simulateSite(new MemoryPoolStore(), SETTINGS);
    expect(differences(a, b)).toEqual([]);
    const changed = { ...b, byWindow: { ...b.byWindow, afterWindow: { ...b.byWindow.afterWindow, wrongVisit: b.byWindow.afterWindow.wrongVisit + 1 } } };
    expect(differences(a, changed)).toEqual([`byWindow.afterWindow.wrongVisit: ${a.byWindow.afterWindow.wrongVisit} vs ${a.byWindow.afterWindow.wrongVisit + 1}`]);
  });
});
