// Energy left in an underdamped spring–mass–damper (m·x'' + c·x' + k·x = 0) after a time t, from
// the closed-form solution, and its sensitivity to the initial state (x0, v0).

/**
 * Mechanical energy ½·m·v² + ½·k·x² at time t of the oscillator released at position x0 with
 * velocity v0. Requires underdamping, c² < 4·k·m. The physical constants m, k, c and the time t
 * are held constant.
 * @differentiable
 * @wrt x0, v0
 * @at x0 = 0.1, v0 = 0, m = 1, k = 40, c = 0.8, t = 0.4
 * @at x0 = -0.05, v0 = 0.3, m = 2.5, k = 100, c = 3, t = 1.25
 */
export function dampedEnergy(x0: number, v0: number, m: number, k: number, c: number, t: number): number {
  const gamma = c / (2 * m);
  const omegaD = Math.sqrt(k / m - gamma * gamma);
  const decay = Math.exp(-gamma * t);
  const cosT = Math.cos(omegaD * t);
  const sinT = Math.sin(omegaD * t);
  const x = decay * (x0 * cosT + ((v0 + gamma * x0) / omegaD) * sinT);
  const v = decay * (v0 * cosT - (((k / m) * x0 + gamma * v0) / omegaD) * sinT);
  return 0.5 * m * v * v + 0.5 * k * x * x;
}

/**
 * Gradient of `dampedEnergy` in (x0, v0), paired by name. The state at time t is linear in the
 * initial state, x = a·x0 + b·v0 and v = p·x0 + q·v0, so ∂E/∂x0 = m·v·p + k·x·a and
 * ∂E/∂v0 = m·v·q + k·x·b.
 */
export function gradDampedEnergy(x0: number, v0: number, m: number, k: number, c: number, t: number): [number, number] {
  const gamma = c / (2 * m);
  const omegaD = Math.sqrt(k / m - gamma * gamma);
  const decay = Math.exp(-gamma * t);
  const cosT = Math.cos(omegaD * t);
  const sinT = Math.sin(omegaD * t);
  const a = decay * (cosT + (gamma / omegaD) * sinT);
  const b = (decay * sinT) / omegaD;
  const p = (-decay * (k / m) * sinT) / omegaD;
  const q = decay * (cosT - (gamma / omegaD) * sinT);
  const x = a * x0 + b * v0;
  const v = p * x0 + q * v0;
  return [m * v * p + k * x * a, m * v * q + k * x * b];
}
