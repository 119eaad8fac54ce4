/** Numeric flag parsing, on its own so the command declarations need nothing heavier than commander. */
import { InvalidArgumentError } from 'commander';

export const parseNumber = (label: string, { int = false, min = -Infinity } = {}) =>
  (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || (int && !Number.isInteger(n)) || n < min) {
      throw new InvalidArgumentError(`${label} must be ${int ? 'an integer' : 'a number'}${min > -Infinity ? ` ≥ ${min}` : ''} (got "${value}")`);
    }
    return n;
  };
