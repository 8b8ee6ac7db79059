/**
 * Argument checks shared by the optimizers and schedules. Every failure is a core `ValueError` whose
 * message names the class, the argument, the value given and what was expected.
 */
import { ValueError } from '@tessera/core';

/** Bounds for {@link checkNumber}. */
export interface NumberBounds {
  /** Smallest allowed value (inclusive unless `minExclusive`). */
  min?: number;
  /** Largest allowed value (inclusive unless `maxExclusive`). */
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  /** Require a whole number. */
  integer?: boolean;
}

function describeBounds(bounds: NumberBounds): string {
  const parts: string[] = [];
  if (bounds.integer) parts.push('an integer');
  else parts.push('a number');
  if (bounds.min !== undefined) parts.push(`${bounds.minExclusive ? '>' : '≥'} ${bounds.min}`);
  if (bounds.min !== undefined && bounds.max !== undefined) parts.push('and');
  if (bounds.max !== undefined) parts.push(`${bounds.maxExclusive ? '<' : '≤'} ${bounds.max}`);
  return parts.join(' ');
}

/**
 * Throw a `ValueError` unless `value` is a finite number within `bounds`.
 * @example
 * checkNumber('SGD', 'lr', -1, { min: 0 }); // ValueError: SGD: invalid lr -1; expected a number ≥ 0
 */
export function checkNumber(owner: string, name: string, value: unknown, bounds: NumberBounds = {}): number {
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (Number.isFinite(value) || bounds.max === Infinity) &&
    (!bounds.integer || Number.isInteger(value)) &&
    (bounds.min === undefined || (bounds.minExclusive ? value > bounds.min : value >= bounds.min)) &&
    (bounds.max === undefined || (bounds.maxExclusive ? value < bounds.max : value <= bounds.max));
  if (!ok) {
    throw new ValueError(`${owner}: invalid ${name} ${describe(value)}; expected ${describeBounds(bounds)}`);
  }
  return value as number;
}

/**
 * Throw a `ValueError` unless `value` is one of `choices`.
 * @example
 * checkChoice('ReduceLROnPlateau', 'mode', 'up', ['min', 'max']); // ValueError
 */
export function checkChoice<T extends string>(owner: string, name: string, value: unknown, choices: readonly T[]): T {
  if (!choices.includes(value as T)) {
    throw new ValueError(`${owner}: invalid ${name} ${describe(value)}; expected one of ${choices.map((c) => `'${c}'`).join(', ')}`);
  }
  return value as T;
}

/**
 * Throw a `ValueError` unless the `fused` option is unset or a boolean.
 * @example
 * checkFused('Adam', 'yes'); // ValueError: Adam: invalid fused 'yes'; expected true, false or undefined
 */
export function checkFused(owner: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new ValueError(`${owner}: invalid fused ${describe(value)}; expected true, false or undefined (unset: the backend's kernel when it has one)`);
  }
}

/** A short description of any value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'function') return 'a function';
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}
