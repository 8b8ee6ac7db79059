/**
 * Whether ops record the autograd graph. `noGrad` turns recording off for a synchronous block.
 */
let gradEnabled = true;

/**
 * Whether autograd currently records ops.
 * @example
 * noGrad(() => isGradEnabled()); // false
 */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Set grad recording on or off; returns the previous state. Prefer {@link noGrad}. */
export function setGradEnabled(enabled: boolean): boolean {
  const previous = gradEnabled;
  gradEnabled = enabled;
  return previous;
}

/**
 * Run `fn` without recording gradients (inference, parameter updates).
 * @example
 * noGrad(() => w.assign(w.sub(w.grad!.mul(0.1))));
 */
export function noGrad<T>(fn: () => T): T {
  const previous = setGradEnabled(false);
  try {
    return fn();
  } finally {
    setGradEnabled(previous);
  }
}

/**
 * Run `fn` with gradient recording on, even inside `noGrad`.
 * @example
 * noGrad(() => enableGrad(() => x.mul(2))); // recorded
 */
export function enableGrad<T>(fn: () => T): T {
  const previous = setGradEnabled(true);
  try {
    return fn();
  } finally {
    setGradEnabled(previous);
  }
}
