import { useState } from 'react';
import { Link } from 'react-router';

import { StatusBadge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, PageHeader } from '@/components/ui/card';
import { Field, FormError, Input } from '@/components/ui/form';
import { QueryState } from '@/components/ui/states';
import { errorMessage } from '@/lib/api-client';

import { useEnroll } from '../api/enroll';
import { useFlowAction, type FlowAction } from '../api/flow-actions';
import { useFlow } from '../api/get-flow';
import type { Flow } from '../api/types';
import { STEP_LABELS, type Step } from '../lib/steps';
import { FlowRuns } from './flow-runs';

const ACTIONS: Record<string, FlowAction[]> = {
  draft: ['activate', 'archive'],
  active: ['pause', 'archive'],
  paused: ['activate', 'archive'],
  archived: [],
};
const LABELS: Record<FlowAction, string> = { activate: 'Activate', pause: 'Pause', archive: 'Archive' };

/** Parse "1, 2 3" into ids; null when something is not a positive whole number. */
export function parseIds(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p) || Number(p) <= 0)) return null;
  return [...new Set(parts.map(Number))];
}

function Enroll({ flow }: { flow: Flow }) {
  const enroll = useEnroll(flow.id);
  const [ids, setIds] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = () => {
    const parsed = parseIds(ids);
    if (!parsed) return setProblem('Enter customer ids, e.g. 12, 57');
    setProblem(null);
    enroll.mutate({ customer_ids: parsed }, { onSuccess: () => setIds('') });
  };
  return (
    <Card title="Enrol customers">
      <div className="flex flex-wrap items-end gap-2">
        <Field label="Customer ids" className="min-w-48 flex-1" error={problem ?? undefined}>
          <Input value={ids} onChange={(e) => setIds(e.target.value)} placeholder="12, 57" />
        </Field>
        <Button busy={enroll.isPending} disabled={flow.status !== 'active'} onClick={submit}>
          Enrol
        </Button>
      </div>
      {flow.status !== 'active' && <p className="mt-2 text-xs text-slate-500">Activate the flow to enrol customers.</p>}
      {enroll.data && (
        <p className="mt-2 text-sm text-emerald-700" role="status">
          {enroll.data.enrolled} enrolled{enroll.data.skipped ? `, ${enroll.data.skipped} skipped (already in the flow)` : ''}.
        </p>
      )}
      <div className="mt-2">
        <FormError message={enroll.isError ? errorMessage(enroll.error) : null} />
      </div>
    </Card>
  );
}

function StepOutline({ steps, depth = 0 }: { steps: Step[]; depth?: number }) {
  return (
    <ol className={`space-y-1 text-sm ${depth ? 'ml-4 border-l border-slate-200 pl-3' : ''}`}>
      {steps.map((s, i) => (
        <li key={i}>
          <code className="mr-2 text-xs text-slate-400">{s.key}</code>
          {STEP_LABELS[s.type] ?? s.type}
          {s.subject ? `: ${s.subject}` : s.title ? `: ${s.title}` : s.duration_seconds ? ` ${s.duration_seconds / 3600} h` : ''}
          {s.type === 'CONDITION' && (
            <>
              {Array.isArray(s.if_true) && s.if_true.length > 0 && <StepOutline steps={s.if_true} depth={depth + 1} />}
              {Array.isArray(s.if_false) && s.if_false.length > 0 && <StepOutline steps={s.if_false} depth={depth + 1} />}
            </>
          )}
        </li>
      ))}
    </ol>
  );
}

export function FlowDetail({ id }: { id: number }) {
  const flow = useFlow(id);
  const action = useFlowAction(id);
  return (
    <QueryState query={flow}>
      {(f) => (
        <>
          <PageHeader
            title={
              <span className="flex flex-wrap items-center gap-2">
                {f.name} <StatusBadge status={f.status} />
                {f.version != null && <span className="text-sm font-normal text-slate-500">v{f.version}</span>}
              </span>
            }
            actions={
              <>
                {(ACTIONS[f.status] ?? []).map((a) => (
                  <Button
                    key={a}
                    variant={a === 'archive' ? 'danger' : 'primary'}
                    busy={action.isPending && action.variables === a}
                    disabled={action.isPending}
                    onClick={() => (a !== 'archive' || window.confirm('Archive this flow? Its runs in flight are stopped.')) && action.mutate(a)}
                  >
                    {LABELS[a]}
                  </Button>
                ))}
                {f.status !== 'archived' && (
                  <Link to={`/flows/${f.id}/edit`} className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50">
                    Edit
                  </Link>
                )}
              </>
            }
          />
          <FormError message={action.isError ? errorMessage(action.error) : null} />
          <div className="mt-2 grid gap-4 *:min-w-0 lg:grid-cols-3">
            <div className="space-y-4">
              <Card title="Definition">
                <p className="mb-2 text-sm text-slate-600">
                  Trigger: <strong>{String(f.trigger.type)}</strong>
                  {f.trigger.event ? ` (${String(f.trigger.event)})` : ''} · re-entry {f.reentry.replaceAll('_', ' ')}
                </p>
                <StepOutline steps={f.steps as unknown as Step[]} />
              </Card>
              <Enroll flow={f} />
            </div>
            <div className="lg:col-span-2">
              <FlowRuns flowId={f.id} live={f.status === 'active' || f.status === 'paused'} />
            </div>
          </div>
        </>
      )}
    </QueryState>
  );
}
