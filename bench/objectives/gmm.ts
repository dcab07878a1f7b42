// Gaussian-mixture-model negative log-likelihood as in ADBench (Srajer, Kukelova, Fitzgibbon 2018),
// with a Wishart prior; the bench uses d = 2 dimensions, k = 5 components and n = 1000 points.
//
// Layout, as in ADBench: alphas (k) are the unnormalised log weights; means is k × d; icf is
// k × (d + d(d−1)/2): per component, d log-diagonal entries of the inverse Cholesky factor Q,
// then its strictly lower-triangular entries column by column; x is n × d. All row-major, flat.
// One departure: the prior's normalising constant (it needs lgamma, which Math lacks) is left
// out; it does not depend on the parameters, so the gradient is ADBench's.

/** log Σ exp(v[i]), shifted by the maximum so that exp cannot overflow. */
export function logsumexp(v: number[]): number {
  let mx = v[0];
  for (let i = 1; i < v.length; i++) {
    if (v[i] > mx) mx = v[i];
  }
  let s = 0;
  for (let i = 0; i < v.length; i++) {
    s += Math.exp(v[i] - mx);
  }
  return Math.log(s) + mx;
}

/**
 * ADBench's GMM objective: Σᵢ logsumexpₖ(αₖ + Σ log diag Qₖ − ½‖Qₖ(xᵢ − μₖ)‖²)
 * − n logsumexp(α) + the Wishart prior, plus the Gaussian constant.
 * @differentiable
 * @wrt alphas, means, icf
 * @gradient gmmGrad
 */
export function gmm(alphas: number[], means: number[], icf: number[], x: number[], wishartGamma: number, wishartM: number): number {
  const K = alphas.length;
  const D = means.length / K;
  const icfSize = icf.length / K;
  const N = x.length / D;
  // Q's diagonal and Σ log diag Q, once per component (ADBench's preprocess_qs)
  const qdiag = new Array(K * D).fill(0);
  const sumQ = new Array(K).fill(0);
  for (let k = 0; k < K; k++) {
    for (let r = 0; r < D; r++) {
      qdiag[k * D + r] = Math.exp(icf[k * icfSize + r]);
      sumQ[k] += icf[k * icfSize + r];
    }
  }
  const mainTerm = new Array(K).fill(0);
  const xc = new Array(D).fill(0);
  const qx = new Array(D).fill(0);
  let slse = 0;
  for (let i = 0; i < N; i++) {
    for (let k = 0; k < K; k++) {
      for (let r = 0; r < D; r++) {
        xc[r] = x[i * D + r] - means[k * D + r];
        qx[r] = qdiag[k * D + r] * xc[r];
      }
      let l = k * icfSize + D;
      for (let c = 0; c < D; c++) {
        for (let r = c + 1; r < D; r++) {
          qx[r] += icf[l] * xc[c];
          l++;
        }
      }
      let sq = 0;
      for (let r = 0; r < D; r++) {
        sq += qx[r] * qx[r];
      }
      mainTerm[k] = alphas[k] + sumQ[k] - 0.5 * sq;
    }
    slse += logsumexp(mainTerm);
  }
  let prior = 0;
  for (let k = 0; k < K; k++) {
    let frobenius = 0;
    for (let r = 0; r < D; r++) {
      frobenius += qdiag[k * D + r] * qdiag[k * D + r];
    }
    for (let l = k * icfSize + D; l < (k + 1) * icfSize; l++) {
      frobenius += icf[l] * icf[l];
    }
    prior += 0.5 * wishartGamma * wishartGamma * frobenius - wishartM * sumQ[k];
  }
  const constant = -N * D * 0.5 * Math.log(2 * Math.PI);
  return constant + slse - N * logsumexp(alphas) + prior;
}

/** Hand-written gradient of `gmm`: [∂/∂alphas, ∂/∂means, ∂/∂icf]. */
export function gmmGrad(alphas: number[], means: number[], icf: number[], x: number[], wishartGamma: number, wishartM: number): [number[], number[], number[]] {
  const K = alphas.length;
  const D = means.length / K;
  const icfSize = icf.length / K;
  const N = x.length / D;
  const gAlphas = new Array(K).fill(0);
  const gMeans = new Array(K * D).fill(0);
  const gIcf = new Array(K * icfSize).fill(0);
  const qdiag = new Array(K * D).fill(0);
  for (let k = 0; k < K; k++) {
    for (let r = 0; r < D; r++) {
      qdiag[k * D + r] = Math.exp(icf[k * icfSize + r]);
    }
  }
  const mainTerm = new Array(K).fill(0);
  const xc = new Array(K * D).fill(0);
  const qx = new Array(K * D).fill(0);
  for (let i = 0; i < N; i++) {
    for (let k = 0; k < K; k++) {
      let sumQ = 0;
      for (let r = 0; r < D; r++) {
        xc[k * D + r] = x[i * D + r] - means[k * D + r];
        qx[k * D + r] = qdiag[k * D + r] * xc[k * D + r];
        sumQ += icf[k * icfSize + r];
      }
      let l = k * icfSize + D;
      for (let c = 0; c < D; c++) {
        for (let r = c + 1; r < D; r++) {
          qx[k * D + r] += icf[l] * xc[k * D + c];
          l++;
        }
      }
      let sq = 0;
      for (let r = 0; r < D; r++) {
        sq += qx[k * D + r] * qx[k * D + r];
      }
      mainTerm[k] = alphas[k] + sumQ - 0.5 * sq;
    }
    const lse = logsumexp(mainTerm);
    for (let k = 0; k < K; k++) {
      // p = this point's responsibility of component k = ∂ logsumexp / ∂ mainTerm[k]
      const p = Math.exp(mainTerm[k] - lse);
      gAlphas[k] += p;
      for (let r = 0; r < D; r++) {
        const z = qx[k * D + r];
        gIcf[k * icfSize + r] += p * (1 - z * qdiag[k * D + r] * xc[k * D + r]);
        gMeans[k * D + r] += p * qdiag[k * D + r] * z;
      }
      let l = k * icfSize + D;
      for (let c = 0; c < D; c++) {
        for (let r = c + 1; r < D; r++) {
          const z = qx[k * D + r];
          gIcf[l] -= p * z * xc[k * D + c];
          gMeans[k * D + c] += p * icf[l] * z;
          l++;
        }
      }
    }
  }
  const lseAlphas = logsumexp(alphas);
  const g2 = wishartGamma * wishartGamma;
  for (let k = 0; k < K; k++) {
    gAlphas[k] -= N * Math.exp(alphas[k] - lseAlphas);
    for (let r = 0; r < D; r++) {
      gIcf[k * icfSize + r] += g2 * qdiag[k * D + r] * qdiag[k * D + r] - wishartM;
    }
    for (let l = k * icfSize + D; l < (k + 1) * icfSize; l++) {
      gIcf[l] += g2 * icf[l];
    }
  }
  return [gAlphas, gMeans, gIcf];
}
