/**
 * The workload generators, one per phase kind, behind one entry point. Each is deterministic
 * given the phase's random stream (sink.random) and the run's state.
 */
import type { OpSink, RunState } from './sink.ts';
import type { AllocSpec, FreeSpec } from './alloc-free.ts';
import { runAlloc, runFree } from './alloc-free.ts';
import type { BpfMapSpec } from './bpf-maps.ts';
import { runBpfMaps } from './bpf-maps.ts';
import type { CgroupSpec } from './cgroups.ts';
import { cgroupCallsEach, runCgroups } from './cgroups.ts';
import type { ModuleSpec } from './modules.ts';
import { runModules } from './modules.ts';
import type { ChurnSpec } from './churn.ts';
import { runChurn } from './churn.ts';
import type { ReplaySpec } from './replay.ts';
import { runReplay } from './replay.ts';
import type { MemcgSpec } from './memcg.ts';
import { runMemcg } from './memcg.ts';

export type GeneratorSpec = AllocSpec | FreeSpec | BpfMapSpec | CgroupSpec | ModuleSpec | ChurnSpec | ReplaySpec | MemcgSpec;
export type GeneratorKind = GeneratorSpec['phase'];

export function runGenerator(s: GeneratorSpec, sink: OpSink, state: RunState): void {
  switch (s.phase) {
    case 'alloc':
      return runAlloc(s, sink, state);
    case 'free':
      return runFree(s, sink, state);
    case 'bpfPercpuArray':
    case 'bpfPercpuHash':
      return runBpfMaps(s, sink, state);
    case 'cgroups':
      return runCgroups(s, sink, state);
    case 'modules':
      return runModules(s, sink, state);
    case 'churn':
      return runChurn(s, sink, state);
    case 'replay':
      return runReplay(s, sink, state);
    case 'memcg':
      return runMemcg(s, sink, state);
  }
}

/**
 * Roughly how many calls a phase makes (for the progress bar only); `loose` is the estimate
 * of the live set before it, the return value's second element after it.
 */
export function estimateCalls(s: GeneratorSpec, loose: number, nrNodes: number): [number, number] {
  switch (s.phase) {
    case 'alloc':
      return [s.count, loose + s.count];
    case 'free': {
      const n = Math.min(loose, s.count ?? loose);
      return [n, loose - n];
    }
    case 'bpfPercpuArray':
    case 'bpfPercpuHash':
      return [s.action === 'create' ? s.maps * s.entries : s.action === 'destroy' ? 0 : s.count, loose];
    case 'cgroups':
      return [s.action === 'create' ? s.count * cgroupCallsEach(s.objects, nrNodes) : 0, loose];
    case 'modules':
      return [s.count ?? 0, loose];
    case 'churn':
      return [s.ops, loose + s.liveTarget];
    case 'replay':
      return [0, loose];
    case 'memcg':
      return [0, loose];
  }
}
