import { describe, expect, it } from 'vitest';

import { addStep, moveStep, newStep, removeStep, replaceStep, splitDuration, validateSteps, type Step } from './steps';

const email = (subject: string): Step => ({ type: 'SEND_EMAIL', subject, html: '<p>x</p>' });

describe('flow steps', () => {
  it('adds, reorders and deletes at the top level', () => {
    let steps: Step[] = [];
    steps = addStep(steps, [], email('a'));
    steps = addStep(steps, [], newStep('WAIT'));
    steps = addStep(steps, [], email('b'));
    steps = moveStep(steps, [], 2, -1);
    expect(steps.map((s) => s.subject ?? s.type)).toEqual(['a', 'b', 'WAIT']);
    expect(moveStep(steps, [], 0, -1)).toEqual(steps); // out of range: no change
    steps = removeStep(steps, [], 0);
    expect(steps.map((s) => s.subject ?? s.type)).toEqual(['b', 'WAIT']);
  });

  it('edits inside CONDITION branches by path', () => {
    let steps: Step[] = [newStep('CONDITION'), newStep('EXIT')];
    steps = addStep(steps, [0, 'if_true'], email('vip'));
    steps = addStep(steps, [0, 'if_false'], newStep('SEND_PUSH'));
    steps = replaceStep(steps, [0, 'if_false'], 0, { type: 'SEND_PUSH', title: 'Hey', body: 'Come back' });
    expect(steps[0].if_true).toEqual([email('vip')]);
    expect(steps[0].if_false).toEqual([{ type: 'SEND_PUSH', title: 'Hey', body: 'Come back' }]);
    expect(steps[1]).toEqual({ type: 'EXIT' });
  });

  it('validates every level before saving', () => {
    expect(validateSteps([])).toEqual([{ path: [], message: 'add at least one step' }]);
    const steps: Step[] = [
      { type: 'SEND_EMAIL', subject: '', html: 'x' },
      { type: 'WAIT', duration_seconds: 0 },
      { type: 'WAIT', until_local_time: '25:00' },
      { ...newStep('CONDITION'), if_true: [{ type: 'SEND_PUSH', title: 't', body: '' }] },
    ];
    expect(validateSteps(steps)).toEqual([
      { path: [0], message: 'an email needs a subject' },
      { path: [1], message: 'the wait must be positive' },
      { path: [2], message: 'the time is HH:MM' },
      { path: [3, 'if_true', 0], message: 'a push needs a body' },
    ]);
    expect(validateSteps([email('ok'), newStep('WAIT'), newStep('EXIT')])).toEqual([]);
  });

  it('shows durations in the largest whole unit', () => {
    expect(splitDuration(259_200)).toEqual({ amount: 3, unit: 'days' });
    expect(splitDuration(7_200)).toEqual({ amount: 2, unit: 'hours' });
    expect(splitDuration(90)).toEqual({ amount: 2, unit: 'minutes' });
  });
});
