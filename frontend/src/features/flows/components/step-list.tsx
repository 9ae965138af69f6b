import { useState } from 'react';

import { Button } from '@/components/ui/button';
import { Field, Input, Select, Textarea } from '@/components/ui/form';

import {
  STEP_LABELS,
  UNIT_SECONDS,
  addStep,
  moveStep,
  newStep,
  removeStep,
  replaceStep,
  splitDuration,
  type Branch,
  type Step,
  type StepPath,
  type StepProblem,
  type StepType,
} from '../lib/steps';

type Props = {
  root: Step[];
  onChange: (steps: Step[]) => void;
  problems: StepProblem[];
  listPath?: StepPath;
  depth?: number;
};

const same = (a: StepPath, b: StepPath) => a.length === b.length && a.every((x, i) => x === b[i]);

function CriteriaInput({ value, onChange }: { value: Record<string, unknown> | undefined; onChange: (v: Record<string, unknown>) => void }) {
  const [text, setText] = useState(JSON.stringify(value ?? {}, null, 1));
  const [bad, setBad] = useState(false);
  return (
    <Field label="Criteria (segment JSON)" error={bad ? 'not valid JSON yet: the last valid criteria are kept' : undefined}>
      <Textarea
        rows={4}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          try {
            const parsed = JSON.parse(e.target.value);
            setBad(false);
            onChange(parsed);
          } catch {
            setBad(true);
          }
        }}
      />
    </Field>
  );
}

function StepConfig({ step, onChange }: { step: Step; onChange: (s: Step) => void }) {
  const set = (patch: Partial<Step>) => onChange({ ...step, ...patch });
  switch (step.type) {
    case 'SEND_EMAIL':
      return (
        <div className="grid gap-2">
          <Field label="Subject">
            <Input value={step.subject ?? ''} onChange={(e) => set({ subject: e.target.value })} />
          </Field>
          <Field label="HTML">
            <Textarea rows={3} value={step.html ?? ''} onChange={(e) => set({ html: e.target.value })} />
          </Field>
        </div>
      );
    case 'SEND_PUSH':
      return (
        <div className="grid gap-2 sm:grid-cols-2">
          <Field label="Title">
            <Input value={step.title ?? ''} onChange={(e) => set({ title: e.target.value })} />
          </Field>
          <Field label="Body">
            <Input value={step.body ?? ''} onChange={(e) => set({ body: e.target.value })} />
          </Field>
        </div>
      );
    case 'WAIT': {
      const byTime = step.until_local_time !== undefined;
      const d = splitDuration(step.duration_seconds ?? 86_400);
      return (
        <div className="flex flex-wrap items-end gap-2">
          <Select
            aria-label="Wait kind"
            className="w-auto"
            value={byTime ? 'time' : 'duration'}
            onChange={(e) =>
              onChange(
                e.target.value === 'time'
                  ? { key: step.key, type: 'WAIT', until_local_time: '09:00' }
                  : { key: step.key, type: 'WAIT', duration_seconds: 86_400 },
              )
            }
          >
            <option value="duration">for</option>
            <option value="time">until local time</option>
          </Select>
          {byTime ? (
            <Input type="time" aria-label="Until" className="w-32" value={step.until_local_time} onChange={(e) => set({ until_local_time: e.target.value })} />
          ) : (
            <>
              <Input
                type="number"
                min={1}
                aria-label="Wait amount"
                className="w-24"
                value={d.amount}
                onChange={(e) => set({ duration_seconds: Math.round(Number(e.target.value) * UNIT_SECONDS[d.unit]) })}
              />
              <Select
                aria-label="Wait unit"
                className="w-28"
                value={d.unit}
                onChange={(e) => set({ duration_seconds: d.amount * UNIT_SECONDS[e.target.value as keyof typeof UNIT_SECONDS] })}
              >
                {Object.keys(UNIT_SECONDS).map((u) => (
                  <option key={u}>{u}</option>
                ))}
              </Select>
            </>
          )}
        </div>
      );
    }
    case 'CONDITION':
      return <CriteriaInput value={step.criteria} onChange={(criteria) => set({ criteria })} />;
    default:
      return <p className="text-sm text-slate-500">The run ends here.</p>;
  }
}

function AddStep({ onAdd }: { onAdd: (t: StepType) => void }) {
  return (
    <Select aria-label="Add step" className="w-auto" value="" onChange={(e) => e.target.value && onAdd(e.target.value as StepType)}>
      <option value="">+ Add step…</option>
      {(Object.keys(STEP_LABELS) as StepType[]).map((t) => (
        <option key={t} value={t}>
          {STEP_LABELS[t]}
        </option>
      ))}
    </Select>
  );
}

/** An editable list of steps; CONDITION steps hold two nested lists (the branches). */
export function StepList({ root, onChange, problems, listPath = [], depth = 0 }: Props) {
  let list: Step[] = root;
  for (let i = 0; i < listPath.length; i += 2) {
    const inner = list[listPath[i] as number][listPath[i + 1] as Branch];
    list = Array.isArray(inner) ? inner : [];
  }
  return (
    <ol className="space-y-2">
      {list.map((step, i) => {
        const at = [...listPath, i];
        const mine = problems.filter((p) => same(p.path, at));
        return (
          <li key={i} data-testid="flow-step" className="rounded-lg bg-white p-3 ring-1 ring-slate-200">
            <div className="mb-2 flex flex-wrap items-center gap-2">
              <span className="flex size-6 items-center justify-center rounded-full bg-indigo-100 text-xs font-semibold text-indigo-700">{i + 1}</span>
              <span className="font-medium">{STEP_LABELS[step.type]}</span>
              {step.key && <code className="text-xs text-slate-400">{step.key}</code>}
              <span className="ml-auto flex gap-1">
                <Button variant="ghost" aria-label="Move up" disabled={i === 0} onClick={() => onChange(moveStep(root, listPath, i, -1))}>
                  ↑
                </Button>
                <Button variant="ghost" aria-label="Move down" disabled={i === list.length - 1} onClick={() => onChange(moveStep(root, listPath, i, 1))}>
                  ↓
                </Button>
                <Button variant="ghost" aria-label="Delete step" onClick={() => onChange(removeStep(root, listPath, i))}>
                  ✕
                </Button>
              </span>
            </div>
            <StepConfig step={step} onChange={(s) => onChange(replaceStep(root, listPath, i, s))} />
            {mine.map((p) => (
              <p key={p.message} className="mt-1 text-xs text-red-700">
                {p.message}
              </p>
            ))}
            {step.type === 'CONDITION' && depth < 3 && (
              <div className="mt-3 grid gap-3 md:grid-cols-2">
                {(['if_true', 'if_false'] as Branch[]).map((branch) => (
                  <div key={branch} className="rounded-md bg-slate-50 p-2 ring-1 ring-slate-200">
                    <div className="mb-2 text-xs font-semibold uppercase text-slate-500">{branch === 'if_true' ? 'If yes' : 'If no'}</div>
                    {typeof step[branch] === 'string' ? (
                      <p className="text-sm">jump to step <code>{step[branch] as string}</code></p>
                    ) : (
                      <StepList root={root} onChange={onChange} problems={problems} listPath={[...at, branch]} depth={depth + 1} />
                    )}
                  </div>
                ))}
              </div>
            )}
          </li>
        );
      })}
      <li>
        <AddStep onAdd={(t) => onChange(addStep(root, listPath, newStep(t)))} />
      </li>
    </ol>
  );
}
