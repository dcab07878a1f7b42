import * as assert from 'node:assert/strict';
import { INITIAL_STATE, isHostMessage, isWebviewMessage } from '../../../client/webview/messages';

describe('webview message guards', () => {
  it('accepts each well-formed webview message', () => {
    for (const m of [
      { type: 'ready', state: INITIAL_STATE },
      { type: 'revealRange', range: { start: 1, end: 4 } },
      { type: 'selectFunction', name: 'f' },
      { type: 'setPoint', point: { x: 1, w: [1, 2] } },
      { type: 'setPoint', point: null },
      { type: 'setFollowCursor', enabled: false },
      { type: 'requestMethods' },
      { type: 'export', format: 'svg', data: '<svg/>', fileName: 'f-graph.svg' },
      { type: 'export', format: 'png', data: 'iVBORw0KGgo=', fileName: 'f-graph.png' },
    ]) assert.ok(isWebviewMessage(m), JSON.stringify(m));
  });

  it('rejects malformed or unknown webview messages', () => {
    for (const m of [null, 3, 'ready', {}, { type: 'eval', code: '1' }, { type: 'revealRange', range: { start: '1', end: 2 } },
      { type: 'selectFunction' }, { type: 'setFollowCursor', enabled: 'yes' }, { type: 'ready' },
      { type: 'export', format: 'pdf', data: '', fileName: 'a.pdf' }, { type: 'export', format: 'svg', data: 1, fileName: 'a.svg' },
      // The file name is only a suggestion for the save dialog, but never a path.
      { type: 'export', format: 'svg', data: '<svg/>', fileName: '../../etc/x.svg' }, { type: 'export', format: 'svg', data: '<svg/>', fileName: '' }]) {
      assert.equal(isWebviewMessage(m), false, JSON.stringify(m));
    }
  });

  it('tells host messages apart', () => {
    assert.ok(isHostMessage({ type: 'graph' }));
    assert.ok(isHostMessage({ type: 'methods' }));
    assert.ok(isHostMessage({ type: 'exported', format: 'svg', path: null }));
    assert.equal(isHostMessage({ type: 'ready' }), false);
    assert.equal(isHostMessage(undefined), false);
  });
});
