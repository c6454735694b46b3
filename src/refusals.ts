/**
 * The refusals of one input, gathered so that a form can show every one
 * beside its field in a single answer instead of one per submit. The first
 * is still what gets thrown — its code, message and meta exactly as a check
 * that stopped there would have thrown it — so the APIs, which render one
 * error, answer as before; meta.refusals lists them all.
 */
import { DomainError, type ErrorCode } from './errors.ts';

/** What a person can mend in the input; anything else (storage, quota) stops at once. */
const GATHERED: ReadonlySet<ErrorCode> = new Set(['VALIDATION', 'CODE_TAKEN', 'FEATURE_DENIED']);

export interface Refusal {
  code: ErrorCode;
  /** the field the core names (meta.field), or null for one about the whole input (a plan gate) */
  field: string | null;
  message: string;
  /** which of a list the refusal is about (meta.schedule: a link's schedule), for a form to name its row */
  schedule?: number;
}

const refusalOf = (e: DomainError): Refusal => ({
  code: e.code,
  field: typeof e.meta.field === 'string' ? e.meta.field : null,
  message: e.message,
  ...(typeof e.meta.schedule === 'number' ? { schedule: e.meta.schedule } : {}),
});

export class Refusals {
  private readonly found: DomainError[] = [];

  get any(): boolean {
    return this.found.length > 0;
  }

  note(e: DomainError): void {
    this.found.push(e);
  }

  /** Runs one check: what it returns, or undefined when it refused (noted). */
  check<T>(run: () => T): T | undefined {
    try {
      return run();
    } catch (e) {
      this.take(e);
      return undefined;
    }
  }

  /** Runs one check for its verdict alone: true when it passed. */
  passes(run: () => unknown): boolean {
    try {
      run();
      return true;
    } catch (e) {
      this.take(e);
      return false;
    }
  }

  async passesAsync(run: () => Promise<unknown>): Promise<boolean> {
    try {
      await run();
      return true;
    } catch (e) {
      this.take(e);
      return false;
    }
  }

  /** @throws the first refusal, carrying meta.refusals, when there is one */
  throwIfAny(): void {
    const [first] = this.found;
    if (first) throw new DomainError(first.code, first.message, { ...first.meta, refusals: this.found.map(refusalOf) });
  }

  private take(e: unknown): void {
    if (e instanceof DomainError && GATHERED.has(e.code)) {
      this.found.push(e);
      return;
    }
    // storage failing in a later check of input already refused: the refusal is the answer, as when the
    // checks stopped at the first (sent again, the input would be refused the same way)
    this.throwIfAny();
    throw e;
  }
}

/** Every refusal an error stands for: the gathered list, or the error alone. */
export const refusalsIn = (e: DomainError): Refusal[] => (e.meta.refusals as Refusal[] | undefined) ?? [refusalOf(e)];
