// Ray–sphere intersection, as a differentiable renderer needs it: the distance along a ray to the
// first hit on a sphere, and how that distance moves when the sphere moves or grows.

/**
 * Distance t to the nearer intersection of the ray origin + t·dir with the sphere of centre
 * (cx, cy, cz) and the given radius: the smaller root of |origin + t·dir − centre|² = radius².
 * `dir` must have unit length and the ray must hit the sphere. The ray is held constant; the
 * sphere's centre and radius are differentiated.
 * @differentiable
 * @wrt cx, cy, cz, radius
 * @at origin = [0, 0, -5], dir = [0, 0, 1], cx = 0.3, cy = -0.2, cz = 0, radius = 1
 * @at origin = [1, 2, -4], dir = [0, -0.28, 0.96], cx = 0.5, cy = 0.4, cz = 1, radius = 1.5
 * @gradient rayHitDistanceGradient
 */
export function rayHitDistance(
  origin: readonly [number, number, number],
  dir: readonly [number, number, number],
  cx: number,
  cy: number,
  cz: number,
  radius: number,
): number {
  const ox = origin[0] - cx;
  const oy = origin[1] - cy;
  const oz = origin[2] - cz;
  const b = ox * dir[0] + oy * dir[1] + oz * dir[2];
  const c = ox * ox + oy * oy + oz * oz - radius * radius;
  const disc = b * b - c;
  return -b - Math.sqrt(disc);
}

/**
 * Gradient of `rayHitDistance` in (cx, cy, cz, radius). With o = origin − centre, b = o·dir and
 * s = √(b² − |o|² + radius²): ∂t/∂c_i = dir_i − (o_i − b·dir_i)/s and ∂t/∂radius = −radius/s.
 */
export function rayHitDistanceGradient(
  origin: readonly [number, number, number],
  dir: readonly [number, number, number],
  cx: number,
  cy: number,
  cz: number,
  radius: number,
): [number, number, number, number] {
  const ox = origin[0] - cx;
  const oy = origin[1] - cy;
  const oz = origin[2] - cz;
  const b = ox * dir[0] + oy * dir[1] + oz * dir[2];
  const s = Math.sqrt(b * b - (ox * ox + oy * oy + oz * oz) + radius * radius);
  return [
    dir[0] - (ox - b * dir[0]) / s,
    dir[1] - (oy - b * dir[1]) / s,
    dir[2] - (oz - b * dir[2]) / s,
    -radius / s,
  ];
}
