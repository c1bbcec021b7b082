/**
 * The regression suite: every scenario in scenarios/ (its CI-sized variant under scenarios/ci/
 * when it has one) is run and compared with its committed golden metrics, under the tolerances
 * of src/check/tolerances.ts. A metric that moved beyond its tolerance fails the test and the
 * message is `sim check`'s diff table. After a deliberate change: `npm run goldens`.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkScenario } from '../../src/check/check-scenario.ts';
import { goldenPairs, orphanCiVariants, orphanGoldens } from '../../src/check/golden-pairs.ts';

const pairs = goldenPairs();

describe('golden metrics', () => {
  it('covers every scenario, and every CI variant and golden belongs to one', () => {
    expect(pairs.length).toBeGreaterThan(0);
    expect(orphanCiVariants(), 'CI variants without a scenario in scenarios/').toEqual([]);
    expect(orphanGoldens(), 'goldens without a scenario in scenarios/ (delete them)').toEqual([]);
  });

  for (const p of pairs) {
    it(`${p.name}: metrics match ${p.golden}${p.ci ? ' (CI-sized variant)' : ''}`, async () => {
      expect(existsSync(p.golden), `${p.golden} is missing: run \`npm run goldens -- ${p.name}\` and commit it with ${p.scenario}`).toBe(true);
      const outcome = await checkScenario(p.scenario, { golden: p.golden, update: false, workers: 2, tolerances: [], maxRows: 30 });
      expect(outcome.status, `\n${outcome.text}\nIf the change is intended, run \`npm run goldens\` and commit the goldens.`).toBe(0);
    });
  }
});
