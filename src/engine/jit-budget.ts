/**
 * V8's inlining budget, raised for the simulator. TurboFan stops inlining into a function once
 * the callees it has inlined add up to a budget (920 bytes of bytecode by default, sized for
 * web pages). The allocators' hot functions pass it after a few bit searches, so the small calls
 * left (metadata touches, hint reads) stay real calls, and a double address passed to one is
 * boxed on the heap. A larger budget changes no result, only how fast the same code runs:
 * `npm run bench` shows the difference (about 1.6x on the bitmap allocations).
 *
 * The flag is process-wide (worker threads share it) and is read when a function is optimized,
 * so the entry points set it first thing.
 */
import { setFlagsFromString } from 'node:v8';

/** bytes of bytecode TurboFan may inline into one function (V8's default: 920) */
export const INLINE_BUDGET_BYTES = 4000;

export function raiseInliningBudget(bytes = INLINE_BUDGET_BYTES): void {
  setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${bytes}`);
}
