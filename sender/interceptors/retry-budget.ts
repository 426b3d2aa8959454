/**
 * A retry budget (as in Finagle and gRPC): retries may add at most `ratio` extra requests per first
 * attempt, plus a small reserve, so a provider in trouble sees at most (1 + ratio)× the traffic
 * instead of a retry storm multiplying it by the attempt limit.
 */
import { assertNumber } from '../../core/errors.js';

export interface RetryBudgetOptions {
  /** Retries allowed per first attempt. @default 0.2 */
  readonly ratio?: number;
  /** Retries always available, for low traffic. @default 10 */
  readonly reserve?: number;
}

/** Kept in thousandths of a retry, as integers, so ten deposits of 0.1 make exactly one retry. */
const UNIT = 1000;

export class RetryBudget {
  readonly #ratio: number;
  readonly #cap: number;
  #balance: number;

  constructor(options: RetryBudgetOptions = {}) {
    this.#ratio = Math.round(assertNumber('retry budget ratio', options.ratio ?? 0.2, 0, 100) * UNIT);
    const reserve = Math.round(assertNumber('retry budget reserve', options.reserve ?? 10, 0) * UNIT);
    this.#cap = Math.max(reserve, 1000 * this.#ratio);
    this.#balance = reserve;
  }

  /** A first attempt earns `ratio` of a retry. */
  deposit(): void {
    this.#balance = Math.min(this.#cap, this.#balance + this.#ratio);
  }

  /** Takes one retry if the budget has it. */
  withdraw(): boolean {
    if (this.#balance < UNIT) return false;
    this.#balance -= UNIT;
    return true;
  }

  /** Retries available now. */
  get balance(): number {
    return this.#balance / UNIT;
  }
}
