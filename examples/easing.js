// A CommonJS module of easing curves with their derivatives (for velocity-matched animation
// hand-offs), written as such modules are: `module.exports = { … }` with each curve's derivative
// beside it as `<name>Prime`, plain JavaScript typed by JSDoc.

module.exports = {
  /**
   * Smoothstep: 3t² − 2t³, flat at both ends.
   * @param {number} t
   * @differentiable
   * @at t = 0.3
   * @at t = 0.85
   */
  smoothstep: function (t) {
    return t * t * (3 - 2 * t);
  },
  /** @param {number} t */
  smoothstepPrime: function (t) {
    return 6 * t * (1 - t);
  },

  /**
   * Ken Perlin's smootherstep: 6t⁵ − 15t⁴ + 10t³, with zero second derivative at both ends.
   * @param {number} t
   * @differentiable
   * @at t = 0.3
   * @at t = 0.85
   */
  smootherstep: function (t) {
    return t * t * t * (t * (6 * t - 15) + 10);
  },
  /** @param {number} t */
  smootherstepPrime: function (t) {
    return 30 * t * t * (t - 1) * (t - 1);
  },

  /**
   * Ease-out with overshoot ("back"), strength s held constant.
   * @param {number} t
   * @param {number} s
   * @differentiable
   * @wrt t
   * @at t = 0.4, s = 1.70158
   */
  easeOutBack: function (t, s) {
    const u = t - 1;
    return u * u * ((s + 1) * u + s) + 1;
  },
  /**
   * @param {number} t
   * @param {number} s
   */
  easeOutBackPrime: function (t, s) {
    const u = t - 1;
    return 3 * (s + 1) * u * u + 2 * s * u;
  },
};
