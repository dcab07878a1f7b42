// Inverse kinematics of a planar two-link arm: the objective a solver minimises over the joint
// angles to bring the tip onto a target, and its hand-written gradient (paired by name).

/**
 * Half the squared distance from the arm's tip to the target (tx, ty). Link lengths l1, l2 and the
 * target are data, held constant; the joint angles theta1, theta2 are what the solver moves.
 * @differentiable
 * @wrt theta1, theta2
 * @at theta1 = 0.3, theta2 = 1.1, l1 = 1, l2 = 0.7, tx = 0.9, ty = 1.2
 * @at theta1 = -1.2, theta2 = 2.5, l1 = 1.5, l2 = 1, tx = -0.4, ty = 0.8
 */
export function ikObjective(theta1: number, theta2: number, l1: number, l2: number, tx: number, ty: number): number {
  const ex = l1 * Math.cos(theta1) + l2 * Math.cos(theta1 + theta2) - tx;
  const ey = l1 * Math.sin(theta1) + l2 * Math.sin(theta1 + theta2) - ty;
  return 0.5 * (ex * ex + ey * ey);
}

/**
 * Gradient of `ikObjective` in (theta1, theta2): the tip error times the columns of the arm's
 * Jacobian, ∂tip/∂θ1 = (−l1·s1 − l2·s12, l1·c1 + l2·c12) and ∂tip/∂θ2 = (−l2·s12, l2·c12).
 */
export function ikObjectiveGrad(theta1: number, theta2: number, l1: number, l2: number, tx: number, ty: number): [number, number] {
  const c1 = Math.cos(theta1);
  const s1 = Math.sin(theta1);
  const c12 = Math.cos(theta1 + theta2);
  const s12 = Math.sin(theta1 + theta2);
  const ex = l1 * c1 + l2 * c12 - tx;
  const ey = l1 * s1 + l2 * s12 - ty;
  const dTheta1 = ex * (-l1 * s1 - l2 * s12) + ey * (l1 * c1 + l2 * c12);
  const dTheta2 = ex * (-l2 * s12) + ey * (l2 * c12);
  return [dTheta1, dTheta2];
}
