/** A one-line progress bar on a TTY; silent otherwise (logs and CI stay clean). */
export interface Progress {
  update(fraction: number, label?: string): void;
  done(): void;
}

export function progressBar(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  let last = -1;
  return {
    update(fraction, label = '') {
      const pct = Math.floor(fraction * 100);
      if (pct === last) return;
      last = pct;
      const width = 30;
      const fill = Math.round((pct / 100) * width);
      stream.write(`\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${String(pct).padStart(3)}% ${label}`.padEnd(70));
    },
    done() {
      if (last >= 0) stream.write('\r' + ' '.repeat(70) + '\r');
    },
  };
}
