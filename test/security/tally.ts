import { isDenied, type Outcome } from './access-model.js';

/** What the run did, printed at the end. */
export class Tally {
  worlds = 0;
  requests = 0;
  checks = 0;
  readonly outcomes = new Map<string, number>();

  record(kind: string, outcome: Outcome<unknown>): void {
    const key = `${kind} ${isDenied(outcome) ? outcome.denied : 'ok'}`;
    this.outcomes.set(key, (this.outcomes.get(key) ?? 0) + 1);
  }

  has(predicate: (key: string) => boolean): boolean {
    return [...this.outcomes.keys()].some(predicate);
  }
}
