// Runs one method over every objective in a process of its own and writes its results as JSON.
// Usage: node bench/child.mjs <method-id> <out.json> [objective-id,...]

import { writeFileSync } from 'node:fs';
import { flattenGradient, loadObjective, OBJECTIVES, relativeError } from './lib/objectives.mjs';
import { METHODS } from './lib/methods.mjs';
import { pairedTiming } from './lib/timing.mjs';
import { bindArgs } from './lib/objectives.mjs';

const [methodId, outPath, only] = process.argv.slice(2);
const method = METHODS.find((m) => m.id === methodId);
if (!method) {
  console.error(`unknown method ${methodId}`);
  process.exit(2);
}
const result = { method: method.id, label: method.label, info: null, error: null, objectives: {} };
const save = () => writeFileSync(outPath, JSON.stringify(result, null, 1));
const message = (e) => (e && e.message ? e.message.split('\n')[0] : String(e));

let mod;
try {
  mod = await import(`./methods/${method.module}`);
  result.info = await mod.setup(method.options);
} catch (e) {
  result.error = `does not load or start: ${message(e)}`;
  save();
  process.exit(0);
}

const objectives = only ? OBJECTIVES.filter((o) => only.split(',').includes(o.id)) : OBJECTIVES;
for (const spec of objectives) {
  const entry = {};
  result.objectives[spec.id] = entry;
  try {
    const obj = loadObjective(spec);
    const prep = await mod.prepare(obj, method.options);
    if (prep.notApplicable) {
      Object.assign(entry, { status: 'n/a', reason: prep.notApplicable });
      continue;
    }
    if (prep.unavailable) {
      Object.assign(entry, { status: 'not available', reason: prep.unavailable });
      continue;
    }
    entry.precision = prep.precision;
    if (prep.flatten) {
      // Refuse to time a gradient that disagrees with the hand-written one
      const got = prep.flatten(prep.run());
      const hand = flattenGradient(obj, obj.g(...obj.args));
      const ref = prep.reference ? prep.reference(hand) : hand;
      const { error, reason } = relativeError(got, ref);
      entry.relError = error;
      entry.tolerance = method.tolerance;
      if (!(error <= method.tolerance)) {
        Object.assign(entry, { status: 'wrong', reason: reason ?? `relative error ${error.toExponential(2)} exceeds ${method.tolerance}` });
        continue;
      }
    }
    const timing = pairedTiming(bindArgs(obj.f, obj.args), prep.run);
    Object.assign(entry, { status: 'ok', ...timing });
    for (const [name, other] of Object.entries(prep.versus ?? {})) {
      const t = pairedTiming(other, prep.run);
      entry.versus = { ...entry.versus, [name]: { ratio: t.ratio, ratioQ1: t.ratioQ1, ratioQ3: t.ratioQ3, batches: t.batches } };
    }
  } catch (e) {
    Object.assign(entry, { status: 'error', reason: message(e) });
  }
  save();
}
save();
process.exit(0);
