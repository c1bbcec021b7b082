/**
 * Which scenario each committed golden checks: every `scenarios/NAME.json5` has
 * `test/regression/golden/NAME.json`, checked against `scenarios/ci/NAME.json5` when that
 * CI-sized variant exists (same structure, smaller counts or grid) and against the scenario
 * itself otherwise. Adding a scenario adds a pair; `npm run goldens` writes its golden.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const SCENARIO_DIR = 'scenarios';
export const CI_DIR = join(SCENARIO_DIR, 'ci');
export const GOLDEN_DIR = join('test', 'regression', 'golden');

export interface GoldenPair {
  /** the scenario's name */
  name: string;
  /** the scenario file the golden is checked against (the CI variant when there is one) */
  scenario: string;
  golden: string;
  ci: boolean;
}

const scenarioNames = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /\.json5?$/.test(f))
        .map((f) => f.replace(/\.json5?$/, ''))
        .sort()
    : [];

const fileOf = (dir: string, name: string): string => (existsSync(join(dir, `${name}.json5`)) ? join(dir, `${name}.json5`) : join(dir, `${name}.json`));

export function goldenPairs(root = '.'): GoldenPair[] {
  const ci = new Set(scenarioNames(join(root, CI_DIR)));
  return scenarioNames(join(root, SCENARIO_DIR)).map((name) => {
    const useCi = ci.has(name);
    return { name, scenario: fileOf(join(root, useCi ? CI_DIR : SCENARIO_DIR), name), golden: join(root, GOLDEN_DIR, `${name}.json`), ci: useCi };
  });
}

/** CI variants whose full scenario is gone (renamed or deleted): they check nothing */
export function orphanCiVariants(root = '.'): string[] {
  const full = new Set(scenarioNames(join(root, SCENARIO_DIR)));
  return scenarioNames(join(root, CI_DIR))
    .filter((n) => !full.has(n))
    .map((n) => fileOf(join(root, CI_DIR), n));
}

/** goldens with no scenario (left behind when one was renamed or deleted) */
export function orphanGoldens(root = '.'): string[] {
  const full = new Set(scenarioNames(join(root, SCENARIO_DIR)));
  const dir = join(root, GOLDEN_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !full.has(f.slice(0, -'.json'.length)))
    .map((f) => join(dir, f));
}
