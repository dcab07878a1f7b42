// A small 2D physics kit in the style of game and simulation code: a `Vec2` record and helpers
// over it, the energies of particles and springs, and their hand-written gradients (the forces),
// which Gradlens checks field by field. Records are analysed as they are written: gradients come
// back in the parameter's own shape (`{ x, y }`), and a function returning a `Vec2` has a Jacobian
// whose rows are its fields. Every derivative in this file is right.

export interface Vec2 {
  x: number;
  y: number;
}

export interface Particle {
  pos: Vec2;
  vel: Vec2;
  mass: number;
}

/** What a step of the integrator does besides moving: held constant, given in `@at`. */
export interface StepOptions {
  drag: number;
  gravity: boolean;
}

export const GRAVITY = 9.81;

export function add(a: Vec2, b: Vec2): Vec2 {
  return { x: a.x + b.x, y: a.y + b.y };
}

export function sub(a: Vec2, b: Vec2): Vec2 {
  return { x: a.x - b.x, y: a.y - b.y };
}

export function scale(a: Vec2, k: number): Vec2 {
  return { x: a.x * k, y: a.y * k };
}

export function dot(a: Vec2, b: Vec2): number {
  return a.x * b.x + a.y * b.y;
}

export function length(a: Vec2): number {
  return Math.sqrt(dot(a, a));
}

/**
 * Energy of a particle: kinetic, plus potential in uniform gravity.
 * @differentiable
 * @at p = { pos: { x: 1, y: 2 }, vel: { x: 0.5, y: -1 }, mass: 2 }
 * @at p = { pos: { x: -3, y: 0.25 }, vel: { x: 4, y: 1.5 }, mass: 0.1 }
 * @gradient particleEnergyGrad
 */
export function particleEnergy(p: Particle): number {
  const kinetic = 0.5 * p.mass * dot(p.vel, p.vel);
  return kinetic + p.mass * GRAVITY * p.pos.y;
}

/** ∂E/∂p in the shape of a particle: the momentum for the velocity, the weight for the height. */
export function particleEnergyGrad(p: Particle): Particle {
  return {
    pos: { x: 0, y: p.mass * GRAVITY },
    vel: scale(p.vel, p.mass),
    mass: 0.5 * dot(p.vel, p.vel) + GRAVITY * p.pos.y,
  };
}

/** The pull of a spring from `a` towards `b`: the spring energy's gradient at `b`. */
export function springPull(a: Vec2, b: Vec2, k: number, rest: number): Vec2 {
  const d = sub(b, a);
  const len = length(d);
  return scale(d, (k * (len - rest)) / len);
}

/**
 * Potential energy of a spring of stiffness `k` and rest length `rest` between two points.
 * @differentiable
 * @at a = { x: 0, y: 0 }, b = { x: 3, y: 4 }, k = 10, rest = 4
 * @at a = { x: 1, y: -1 }, b = { x: -0.5, y: 2 }, k = 2.5, rest = 1
 * @wrt a, b
 * @gradient springEnergyGrad
 */
export function springEnergy(a: Vec2, b: Vec2, k: number, rest: number): number {
  const stretch = length(sub(b, a)) - rest;
  return 0.5 * k * stretch * stretch;
}

/** The spring's gradient at both ends: equal and opposite, along the spring. */
export function springEnergyGrad(a: Vec2, b: Vec2, k: number, rest: number): { a: Vec2; b: Vec2 } {
  const pull = springPull(a, b, k, rest);
  return { a: scale(pull, -1), b: pull };
}

/**
 * Energy of a chain of springs through the points (a rope, the edge of a cloth).
 * @differentiable
 * @at points = [{ x: 0, y: 0 }, { x: 1, y: 0.5 }, { x: 2.5, y: 0 }, { x: 3, y: -1 }], k = 4, rest = 1
 * @wrt points
 * @gradient chainEnergyGrad
 */
export function chainEnergy(points: Vec2[], k: number, rest: number): number {
  let energy = 0;
  for (let i = 1; i < points.length; i++) {
    energy += springEnergy(points[i - 1], points[i], k, rest);
  }
  return energy;
}

/** Each point is pulled by the spring before it and the spring after it. */
export function chainEnergyGrad(points: Vec2[], k: number, rest: number): Vec2[] {
  const grad: Vec2[] = [];
  for (let i = 0; i < points.length; i++) {
    let g: Vec2 = { x: 0, y: 0 };
    if (i > 0) g = add(g, springPull(points[i - 1], points[i], k, rest));
    if (i + 1 < points.length) g = sub(g, springPull(points[i], points[i + 1], k, rest));
    grad.push(g);
  }
  return grad;
}

/** The position after one explicit Euler step with linear drag and, if asked for, gravity. */
export function eulerStep(p: Particle, dt: number, opts: StepOptions): Vec2 {
  const { drag, gravity } = opts;
  const weight: Vec2 = { x: 0, y: gravity ? -GRAVITY : 0 };
  const accel = add(weight, scale(p.vel, -drag / p.mass));
  const vel = add(p.vel, scale(accel, dt));
  return add(p.pos, scale(vel, dt));
}

/**
 * How far from `target` one step lands, squared: what a shooting method minimises.
 * @differentiable
 * @at p = { pos: { x: 0, y: 10 }, vel: { x: 3, y: 0 }, mass: 1.5 }, dt = 0.1, target = { x: 0.5, y: 9.5 }, opts = { drag: 0.2, gravity: true }
 * @at p = { pos: { x: 1, y: 0 }, vel: { x: -2, y: 4 }, mass: 0.5 }, dt = 0.05, target = { x: 0, y: 0 }, opts = { drag: 0, gravity: false }
 * @wrt p
 * @gradient landingErrorGrad
 */
export function landingError(p: Particle, dt: number, target: Vec2, opts: StepOptions): number {
  const miss = sub(eulerStep(p, dt, opts), target);
  return dot(miss, miss);
}

/** The step is `pos + c·vel + dt²·weight` with `c = dt − dt²·drag/mass`: the chain rule, field by field. */
export function landingErrorGrad(p: Particle, dt: number, target: Vec2, opts: StepOptions): Particle {
  const miss = sub(eulerStep(p, dt, opts), target);
  const c = dt - (dt * dt * opts.drag) / p.mass;
  return {
    pos: scale(miss, 2),
    vel: scale(miss, 2 * c),
    mass: (2 * dot(miss, p.vel) * dt * dt * opts.drag) / (p.mass * p.mass),
  };
}
