/**
 * `npm run goldens [-- NAME...]`: rewrites the golden metrics of every scenario (or the named
 * ones) from a fresh run, as `sim check --update` does, and prints what each update changed.
 * Run it after a deliberate change to the model; review the diff in git before committing.
 */
import { performance } from 'node:perf_hooks';
import { checkScenario } from '../../src/check/check-scenario.ts';
import { goldenPairs, orphanCiVariants, orphanGoldens } from '../../src/check/golden-pairs.ts';
import { defaultWorkers } from '../../src/engine/pool.ts';
import { InputError } from '../../src/input/input-error.ts';

/** a scenario whose check takes more CPU time than this (all threads) wants a CI-sized variant */
const SLOW_CPU_MS = 10_000;

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function main(names: string[]): Promise<number> {
  const pairs = goldenPairs().filter((p) => names.length === 0 || names.includes(p.name));
  const unknown = names.filter((n) => !pairs.some((p) => p.name === n));
  if (unknown.length > 0) {
    process.stderr.write(`goldens: no scenario named ${unknown.join(', ')} in scenarios/\n`);
    return 2;
  }
  let failed = 0;
  for (const p of pairs) {
    const t0 = performance.now();
    const c0 = cpuMs();
    try {
      const outcome = await checkScenario(p.scenario, { golden: p.golden, update: true, workers: defaultWorkers(), tolerances: [], maxRows: 20 });
      const ms = performance.now() - t0;
      const cpu = cpuMs() - c0;
      process.stdout.write(`== ${p.name} (${p.scenario}: ${(ms / 1000).toFixed(1)} s, ${(cpu / 1000).toFixed(1)} s of CPU)\n${outcome.text}`);
      if (cpu > SLOW_CPU_MS) {
        const advice = p.ci ? `make ${p.scenario} smaller` : `add a CI-sized variant as scenarios/ci/${p.name}.json5 (same structure, smaller counts)`;
        process.stdout.write(`note: ${p.scenario} took ${(cpu / 1000).toFixed(1)} s of CPU; ${advice} to keep npm test fast\n`);
      }
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      failed++;
      process.stdout.write(`== ${p.name}: not updated: ${e.message}\n`);
    }
    process.stdout.write('\n');
  }
  for (const f of [...orphanCiVariants(), ...orphanGoldens()]) process.stdout.write(`note: ${f} belongs to no scenario in scenarios/; delete it if the scenario is gone\n`);
  process.stdout.write(`${pairs.length - failed} goldens written${failed > 0 ? `, ${failed} failed` : ''}\n`);
  return failed > 0 ? 2 : 0;
}

process.exitCode = await main(process.argv.slice(2));
