/**
 * Bounded nonlinear least squares (Levenberg-Marquardt) over positive parameters, solved in
 * log space so a parameter moves by factors and stays within [lo, hi]. Deterministic: the same
 * start, residuals and bounds always give the same answer.
 */

export interface BoundedParam {
  start: number;
  lo: number;
  hi: number;
}

export interface FitResult {
  values: number[];
  /** sum of squared residuals at the answer */
  cost: number;
  iterations: number;
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/** minimises sum(residuals(p)^2) */
export function leastSquares(params: readonly BoundedParam[], residuals: (p: number[]) => number[], maxIterations = 200): FitResult {
  const n = params.length;
  const lo = params.map((p) => Math.log(p.lo));
  const hi = params.map((p) => Math.log(p.hi));
  let x = params.map((p, j) => clamp(Math.log(p.start), lo[j]!, hi[j]!));
  const eval_ = (lx: number[]): number[] => residuals(lx.map(Math.exp));
  const sumSq = (r: number[]): number => r.reduce((s, v) => s + v * v, 0);
  let r = eval_(x);
  let cost = sumSq(r);
  let lambda = 1e-2;
  let it = 0;
  for (; it < maxIterations; it++) {
    // Jacobian by forward differences in log space
    const h = 1e-5;
    const J: number[][] = [];
    for (let j = 0; j < n; j++) {
      const xj = x.slice();
      xj[j] = x[j]! + h;
      const rj = eval_(xj);
      J.push(rj.map((v, i) => (v - r[i]!) / h));
    }
    const JtJ = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => dot(J[a]!, J[b]!)));
    const Jtr = J.map((col) => dot(col, r));
    let improved = false;
    for (let tries = 0; tries < 12; tries++) {
      const A = JtJ.map((row, a) => row.map((v, b) => (a === b ? v + lambda * (v + 1e-9) : v)));
      const step = solve(A, Jtr.map((v) => -v));
      const xn = x.map((v, j) => clamp(v + step[j]!, lo[j]!, hi[j]!));
      const rn = eval_(xn);
      const cn = sumSq(rn);
      if (cn < cost - 1e-15) {
        x = xn;
        r = rn;
        const gain = cost - cn;
        cost = cn;
        lambda = Math.max(lambda / 3, 1e-9);
        // stop once an iteration gains less than a millionth of what is left
        improved = gain > 1e-6 * cn + 1e-12;
        break;
      }
      lambda *= 4;
    }
    if (!improved) break;
  }
  return { values: x.map(Math.exp), cost, iterations: it };
}

function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Gaussian elimination with partial pivoting; a singular direction gets a zero step */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(M[i]![c]!) > Math.abs(M[p]![c]!)) p = i;
    [M[c], M[p]] = [M[p]!, M[c]!];
    const pivot = M[c]![c]!;
    if (Math.abs(pivot) < 1e-300) continue;
    for (let i = c + 1; i < n; i++) {
      const f = M[i]![c]! / pivot;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) M[i]![k]! -= f * M[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    const pivot = M[i]![i]!;
    if (Math.abs(pivot) < 1e-300) continue;
    let s = M[i]![n]!;
    for (let k = i + 1; k < n; k++) s -= M[i]![k]! * x[k]!;
    x[i] = s / pivot;
  }
  return x;
}
