// Flow steps as the editor handles them (the API's FlowDefinition shape), and the pure edits
// on nested step lists. A path walks lists and branches: [2, 'if_true', 0] is the first step
// of the "yes" branch of the third step.

export type StepType = 'SEND_EMAIL' | 'SEND_PUSH' | 'WAIT' | 'CONDITION' | 'EXIT';
export type Branch = 'if_true' | 'if_false';
export type Step = {
  key?: string;
  type: StepType;
  subject?: string;
  html?: string;
  title?: string;
  body?: string;
  duration_seconds?: number;
  until_local_time?: string;
  criteria?: Record<string, unknown>;
  if_true?: Step[] | string;
  if_false?: Step[] | string;
};
export type StepPath = (number | Branch)[];

export const STEP_LABELS: Record<StepType, string> = {
  SEND_EMAIL: 'Send email',
  SEND_PUSH: 'Send push',
  WAIT: 'Wait',
  CONDITION: 'Condition (branch)',
  EXIT: 'Exit',
};

export function newStep(type: StepType): Step {
  switch (type) {
    case 'SEND_EMAIL':
      return { type, subject: '', html: '<p>Hi {{ customer.first_name }},</p>' };
    case 'SEND_PUSH':
      return { type, title: '', body: '' };
    case 'WAIT':
      return { type, duration_seconds: 86_400 };
    case 'CONDITION':
      return {
        type,
        criteria: { match: 'all', conditions: [{ field: 'order_count', op: 'gt', value: 0 }] },
        if_true: [],
        if_false: [],
      };
    case 'EXIT':
      return { type };
  }
}

type List = Step[];

/** Apply `change` to the step list at `listPath` (a path ending in a branch, or [] for the root). */
export function updateList(steps: List, listPath: StepPath, change: (list: List) => List): List {
  if (listPath.length === 0) return change(steps);
  const [index, branch, ...rest] = listPath as [number, Branch, ...StepPath];
  return steps.map((step, i) => {
    if (i !== index) return step;
    const inner = step[branch];
    return { ...step, [branch]: updateList(Array.isArray(inner) ? inner : [], rest, change) };
  });
}

export const addStep = (steps: List, listPath: StepPath, step: Step): List =>
  updateList(steps, listPath, (list) => [...list, step]);

export const removeStep = (steps: List, listPath: StepPath, index: number): List =>
  updateList(steps, listPath, (list) => list.filter((_, i) => i !== index));

export const replaceStep = (steps: List, listPath: StepPath, index: number, step: Step): List =>
  updateList(steps, listPath, (list) => list.map((s, i) => (i === index ? step : s)));

/** Move a step up (-1) or down (+1) within its list; out of range is a no-op. */
export function moveStep(steps: List, listPath: StepPath, index: number, by: -1 | 1): List {
  return updateList(steps, listPath, (list) => {
    const to = index + by;
    if (to < 0 || to >= list.length) return list;
    const copy = [...list];
    [copy[index], copy[to]] = [copy[to], copy[index]];
    return copy;
  });
}

export type StepProblem = { path: StepPath; message: string };

/** The checks worth doing before sending; the server validates the whole definition again. */
export function validateSteps(steps: List, path: StepPath = []): StepProblem[] {
  const problems: StepProblem[] = [];
  if (path.length === 0 && steps.length === 0) problems.push({ path, message: 'add at least one step' });
  steps.forEach((s, i) => {
    const at = [...path, i];
    const bad = (message: string) => problems.push({ path: at, message });
    if (s.type === 'SEND_EMAIL') {
      if (!s.subject?.trim()) bad('an email needs a subject');
      if (!s.html?.trim()) bad('an email needs a body');
    } else if (s.type === 'SEND_PUSH') {
      if (!s.title?.trim()) bad('a push needs a title');
      if (!s.body?.trim()) bad('a push needs a body');
    } else if (s.type === 'WAIT') {
      const hasDuration = s.duration_seconds !== undefined;
      const hasTime = s.until_local_time !== undefined;
      if (hasDuration === hasTime) bad('wait for a duration or until a time of day');
      if (hasDuration && !(Number.isInteger(s.duration_seconds) && (s.duration_seconds as number) > 0)) bad('the wait must be positive');
      if (hasTime && !/^([01]\d|2[0-3]):[0-5]\d$/.test(s.until_local_time ?? '')) bad('the time is HH:MM');
    } else if (s.type === 'CONDITION') {
      if (!s.criteria || typeof s.criteria !== 'object') bad('the condition needs criteria');
      for (const branch of ['if_true', 'if_false'] as Branch[]) {
        const inner = s[branch];
        if (Array.isArray(inner)) problems.push(...validateSteps(inner, [...at, branch]));
      }
    }
  });
  return problems;
}

/** Durations shown as the largest whole unit. */
export function splitDuration(seconds: number): { amount: number; unit: 'minutes' | 'hours' | 'days' } {
  if (seconds % 86_400 === 0) return { amount: seconds / 86_400, unit: 'days' };
  if (seconds % 3_600 === 0) return { amount: seconds / 3_600, unit: 'hours' };
  return { amount: Math.round(seconds / 60), unit: 'minutes' };
}

export const UNIT_SECONDS = { minutes: 60, hours: 3_600, days: 86_400 } as const;
