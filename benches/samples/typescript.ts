// Benchmark sample for codepulse (written for the benches; not third-party code).

export type Severity = 'info' | 'warning' | 'error';

export interface Diagnostic {
  file: string;
  line: number;
  severity: Severity;
  message: string;
}

export interface Range<T> {
  start: T;
  end: T;
}

export function sumOfPrimes(max: number): number {
  let total = 0;
  OUT: for (let i = 1; i <= max; ++i) {
    for (let j = 2; j < i; ++j) {
      if (i % j === 0) {
        continue OUT;
      }
    }
    total += i;
  }
  return total;
}

export function getWords(n: number): string {
  switch (n) {
    case 1:
      return 'one';
    case 2:
      return 'a couple';
    case 3:
      return 'a few';
    default:
      return 'lots';
  }
}

export class EventBus<Events extends Record<string, unknown[]>> {
  private handlers = new Map<keyof Events, Array<(...args: any[]) => void>>();

  on<K extends keyof Events>(event: K, handler: (...args: Events[K]) => void): () => void {
    const list = this.handlers.get(event) ?? [];
    list.push(handler);
    this.handlers.set(event, list);
    return () => this.off(event, handler);
  }

  off<K extends keyof Events>(event: K, handler: (...args: Events[K]) => void): void {
    const list = this.handlers.get(event);
    if (!list) {
      return;
    }
    const index = list.indexOf(handler);
    if (index >= 0) {
      list.splice(index, 1);
    }
    if (list.length === 0) {
      this.handlers.delete(event);
    }
  }

  emit<K extends keyof Events>(event: K, ...args: Events[K]): number {
    const list = this.handlers.get(event);
    let delivered = 0;
    for (const handler of list ?? []) {
      try {
        handler(...args);
        delivered++;
      } catch (err: unknown) {
        if (err instanceof Error && err.message !== 'ignore') {
          console.error(err.message);
        }
      }
    }
    return delivered;
  }
}

export function summarize(diagnostics: readonly Diagnostic[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { info: 0, warning: 0, error: 0 };
  for (const d of diagnostics) {
    counts[d.severity] += 1;
  }
  return counts;
}

export function worstFile(diagnostics: readonly Diagnostic[]): string | undefined {
  const score = new Map<string, number>();
  for (const { file, severity } of diagnostics) {
    const weight = severity === 'error' ? 10 : severity === 'warning' ? 3 : 1;
    score.set(file, (score.get(file) ?? 0) + weight);
  }
  let best: string | undefined;
  let bestScore = -1;
  for (const [file, s] of score) {
    if (s > bestScore || (s === bestScore && best !== undefined && file < best)) {
      best = file;
      bestScore = s;
    }
  }
  return best;
}

export function overlaps<T>(a: Range<T>, b: Range<T>, cmp: (x: T, y: T) => number): boolean {
  return cmp(a.start, b.end) < 0 && cmp(b.start, a.end) < 0;
}

export function mergeRanges(ranges: Range<number>[]): Range<number>[] {
  if (ranges.length < 2) {
    return ranges.slice();
  }
  const sorted = [...ranges].sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: Range<number>[] = [{ ...sorted[0] }];
  for (const r of sorted.slice(1)) {
    const last = merged[merged.length - 1];
    if (r.start <= last.end) {
      last.end = Math.max(last.end, r.end);
    } else {
      merged.push({ ...r });
    }
  }
  return merged;
}

export const parseDuration = (text: string): number | null => {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) {
    return null;
  }
  const value = Number(match[1]);
  switch (match[2]) {
    case 'h':
      return value * 3_600_000;
    case 'm':
      return value * 60_000;
    case 's':
      return value * 1000;
    default:
      return value;
  }
};

export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value ${String(x)}`);
}

export function factorial(n: bigint): bigint {
  return n <= 1n ? 1n : n * factorial(n - 1n);
}
