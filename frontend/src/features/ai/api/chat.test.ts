import { describe, expect, it } from 'vitest';

import { ndjsonSplitter, type ChatEvent } from './chat';

describe('the chat stream', () => {
  it('yields one event per line even when lines arrive in pieces', () => {
    const events: ChatEvent[] = [];
    const split = ndjsonSplitter((e) => events.push(e));
    split('{"type":"text","te');
    split('xt":"Hel"}\n{"type":"text","text":"lo"}\n{"type":"proposal","proposal":{"kind":"segment",');
    expect(events).toHaveLength(2);
    split('"title":"VIPs","data":{}}}\n{"type":"done"}', true);
    expect(events.map((e) => e.type)).toEqual(['text', 'text', 'proposal', 'done']);
    expect(events[2]).toEqual({ type: 'proposal', proposal: { kind: 'segment', title: 'VIPs', data: {} } });
  });
});
