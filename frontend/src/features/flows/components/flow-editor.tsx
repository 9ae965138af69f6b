import { useState } from 'react';
import { useLocation, useNavigate } from 'react-router';

import { Button } from '@/components/ui/button';
import { Card, PageHeader } from '@/components/ui/card';
import { Field, FormError, Input, Select } from '@/components/ui/form';
import { ErrorState, Loading } from '@/components/ui/states';
import { errorMessage } from '@/lib/api-client';

import { useFlow } from '../api/get-flow';
import { useSegmentOptions } from '../api/get-segment-options';
import { useSaveFlow } from '../api/save-flow';
import type { Flow, FlowInput, Reentry, Trigger } from '../api/types';
import { validateSteps, type Step } from '../lib/steps';
import { StepList } from './step-list';

const BLANK: FlowInput = {
  name: '',
  trigger: { type: 'manual' },
  reentry: 'once_at_a_time',
  exit_events: [],
  steps: [
    { type: 'SEND_EMAIL', subject: 'Welcome!', html: '<p>Hi {{ customer.first_name }}, welcome aboard.</p>' },
    { type: 'WAIT', duration_seconds: 86_400 },
    { type: 'SEND_PUSH', title: 'Still there?', body: 'We saved something for you.' },
  ],
};

export const inputOf = (f: Flow): FlowInput => ({
  name: f.name,
  description: f.description,
  trigger: f.trigger as Trigger,
  reentry: f.reentry as Reentry,
  exit_events: f.exit_events,
  steps: f.steps as unknown as Step[],
});

function TriggerFields({ trigger, onChange }: { trigger: Trigger; onChange: (t: Trigger) => void }) {
  const segments = useSegmentOptions();
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <Field label="Trigger">
        <Select
          value={trigger.type}
          onChange={(e) => {
            const type = e.target.value as Trigger['type'];
            onChange(type === 'event' ? { type, event: '' } : type === 'segment' ? { type } : { type: 'manual' });
          }}
        >
          <option value="manual">Manual enrolment</option>
          <option value="event">When an event happens</option>
          <option value="segment">When a customer enters a segment</option>
        </Select>
      </Field>
      {trigger.type === 'event' && (
        <Field label="Event name">
          <Input value={trigger.event} placeholder="signed_up" onChange={(e) => onChange({ ...trigger, event: e.target.value.trim() })} />
        </Field>
      )}
      {trigger.type === 'segment' && (
        <Field label="Segment">
          <Select value={trigger.segment_id ?? ''} onChange={(e) => onChange({ type: 'segment', segment_id: Number(e.target.value) || undefined })}>
            <option value="">{segments.isPending ? 'Loading…' : 'Choose a segment'}</option>
            {segments.data?.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </Select>
        </Field>
      )}
    </div>
  );
}

function Form({ id, initial }: { id?: number; initial: FlowInput }) {
  const navigate = useNavigate();
  const save = useSaveFlow(id);
  const [flow, setFlow] = useState(initial);
  const [exitEvents, setExitEvents] = useState(initial.exit_events.join(', '));
  const [touched, setTouched] = useState(false);
  const problems = validateSteps(flow.steps);
  const nameError = touched && !flow.name.trim() ? 'Give the flow a name' : undefined;
  const triggerError =
    touched && flow.trigger.type === 'event' && !flow.trigger.event
      ? 'Name the event that starts the flow'
      : touched && flow.trigger.type === 'segment' && !flow.trigger.segment_id
        ? 'Choose the segment'
        : undefined;
  const submit = () => {
    setTouched(true);
    if (nameError || !flow.name.trim() || problems.length || triggerError) return;
    if (flow.trigger.type === 'event' && !flow.trigger.event) return;
    if (flow.trigger.type === 'segment' && !flow.trigger.segment_id) return;
    const exit_events = exitEvents.split(',').map((s) => s.trim()).filter(Boolean);
    save.mutate({ ...flow, name: flow.name.trim(), exit_events }, { onSuccess: (f) => navigate(`/flows/${f.id}`) });
  };
  return (
    <>
      <PageHeader
        title={id ? `Edit flow: ${initial.name}` : 'New flow'}
        actions={
          <Button busy={save.isPending} onClick={submit}>
            Save flow
          </Button>
        }
      />
      <div className="grid gap-4 *:min-w-0 lg:grid-cols-3">
        <Card className="h-fit">
          <div className="space-y-3">
            <Field label="Name" error={nameError}>
              <Input aria-invalid={Boolean(nameError)} value={flow.name} onChange={(e) => setFlow({ ...flow, name: e.target.value })} />
            </Field>
            <TriggerFields trigger={flow.trigger} onChange={(trigger) => setFlow({ ...flow, trigger })} />
            {triggerError && <FormError message={triggerError} />}
            <Field label="Re-entry">
              <Select value={flow.reentry} onChange={(e) => setFlow({ ...flow, reentry: e.target.value as Reentry })}>
                <option value="once_at_a_time">Once at a time</option>
                <option value="once_ever">Once ever</option>
                <option value="every_time">Every time</option>
              </Select>
            </Field>
            <Field label="Exit when these events happen" hint="comma separated, e.g. placed_order">
              <Input value={exitEvents} onChange={(e) => setExitEvents(e.target.value)} />
            </Field>
          </div>
        </Card>
        <div className="space-y-3 lg:col-span-2">
          <StepList root={flow.steps} onChange={(steps) => setFlow({ ...flow, steps })} problems={touched ? problems : []} />
          {touched && problems.length > 0 && <FormError message={problems.find((p) => p.path.length === 0)?.message ?? 'Some steps need attention before saving.'} />}
          <FormError message={save.isError ? errorMessage(save.error) : null} />
        </div>
      </div>
    </>
  );
}

export function FlowEditor({ id }: { id?: number }) {
  const flow = useFlow(id);
  const location = useLocation();
  const proposed = (location.state as Partial<FlowInput> | null) ?? {};
  if (id === undefined) return <Form initial={{ ...BLANK, ...proposed }} />;
  if (flow.isPending) return <Loading />;
  if (flow.isError) return <ErrorState error={flow.error} retry={() => flow.refetch()} />;
  return <Form id={id} initial={inputOf(flow.data)} />;
}
