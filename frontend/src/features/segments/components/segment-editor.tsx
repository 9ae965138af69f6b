import { useMemo, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';

import { Button } from '@/components/ui/button';
import { Card, PageHeader } from '@/components/ui/card';
import { Field, FormError, Input, Textarea } from '@/components/ui/form';
import { ErrorState, Loading } from '@/components/ui/states';
import { errorMessage } from '@/lib/api-client';
import { useDebounced } from '@/lib/use-debounced';

import { useDescribeSegment } from '../api/ai-segment';
import { useFields } from '../api/get-fields';
import { useSegment } from '../api/get-segment';
import { useSaveSegment } from '../api/save-segment';
import { describe, emptyGroup, validate, type Group } from '../lib/criteria';
import { SegmentBuilder } from './segment-builder';
import { SegmentPreview } from './segment-preview';

function DescribeBox({ onCriteria }: { onCriteria: (g: Group, note: string, name: string) => void }) {
  const [prompt, setPrompt] = useState('');
  const ai = useDescribeSegment();
  return (
    <Card title="Describe in words">
      <Textarea
        aria-label="Describe the segment"
        rows={2}
        className="font-sans"
        placeholder="e.g. customers in the US who spent over $500 in the last 90 days"
        value={prompt}
        onChange={(e) => setPrompt(e.target.value)}
      />
      <div className="mt-2 flex items-center gap-2">
        <Button
          variant="secondary"
          busy={ai.isPending}
          disabled={prompt.trim().length < 3}
          onClick={() => ai.mutate(prompt.trim(), { onSuccess: (r) => onCriteria(r.criteria, r.explanation ?? '', r.name) })}
        >
          Build with AI
        </Button>
      </div>
      <div className="mt-2">
        <FormError message={ai.isError ? errorMessage(ai.error) : null} />
      </div>
    </Card>
  );
}

type Draft = { name: string; description?: string; criteria: Group };

function Editor({ id, initial }: { id?: number; initial: Draft }) {
  const navigate = useNavigate();
  const fields = useFields();
  const save = useSaveSegment(id);
  const [name, setName] = useState(initial.name);
  const [criteria, setCriteria] = useState<Group>(initial.criteria);
  const [note, setNote] = useState<string | undefined>();
  const [touched, setTouched] = useState(false);
  const specs = useMemo(() => fields.data ?? [], [fields.data]);
  const problems = useMemo(() => validate(criteria, specs), [criteria, specs]);
  const debounced = useDebounced(criteria, 400);
  const ready = specs.length > 0 && validate(debounced, specs).length === 0;
  const nameError = touched && !name.trim() ? 'Give the segment a name' : undefined;

  const submit = () => {
    setTouched(true);
    if (!name.trim() || problems.length > 0) return; // nothing leaves the form invalid
    save.mutate(
      { name: name.trim(), description: initial.description, criteria },
      { onSuccess: (s) => navigate(`/segments/${s.id}`, { replace: true }) },
    );
  };

  if (fields.isPending) return <Loading />;
  if (fields.isError) return <ErrorState error={fields.error} retry={() => fields.refetch()} />;
  const rootProblem = problems.find((p) => p.path.length === 0)?.message;
  return (
    <>
      <PageHeader
        title={id ? `Segment: ${initial.name}` : 'New segment'}
        actions={
          <Button busy={save.isPending} onClick={submit}>
            Save segment
          </Button>
        }
      />
      <div className="grid gap-4 *:min-w-0 lg:grid-cols-3">
        <div className="space-y-4 lg:col-span-2">
          <Card>
            <Field label="Name" error={nameError}>
              <Input aria-invalid={Boolean(nameError)} value={name} onChange={(e) => setName(e.target.value)} placeholder="Big spenders" />
            </Field>
          </Card>
          <SegmentBuilder value={criteria} onChange={setCriteria} fields={specs} problems={touched ? problems : []} />
          {touched && rootProblem && <FormError message={rootProblem} />}
          {touched && problems.length > 0 && !rootProblem && (
            <FormError message={`Fix ${problems.length} condition${problems.length > 1 ? 's' : ''} before saving.`} />
          )}
          <FormError message={save.isError ? errorMessage(save.error) : null} />
          {criteria.conditions.length > 0 && (
            <p className="text-sm text-slate-600" data-testid="criteria-sentence">
              {describe(criteria, specs)}
            </p>
          )}
        </div>
        <div className="space-y-4">
          <SegmentPreview criteria={debounced} ready={ready} />
          <DescribeBox
            onCriteria={(g, explanation, suggested) => {
              setCriteria(g);
              setNote(explanation || undefined);
              if (!name.trim()) setName(suggested);
            }}
          />
          {note && <p className="rounded-md bg-indigo-50 p-3 text-sm text-indigo-900">{note}</p>}
        </div>
      </div>
    </>
  );
}

/** New (optionally prefilled from the AI assistant via router state) or existing segment. */
export function SegmentEditor({ id }: { id?: number }) {
  const segment = useSegment(id);
  const location = useLocation();
  const proposed = (location.state as { criteria?: Group; name?: string } | null) ?? null;
  if (id === undefined) {
    return (
      <Editor
        initial={{ name: proposed?.name ?? '', criteria: proposed?.criteria ?? emptyGroup() }}
      />
    );
  }
  if (segment.isPending) return <Loading />;
  if (segment.isError) return <ErrorState error={segment.error} retry={() => segment.refetch()} />;
  const s = segment.data;
  return <Editor key={s.id} id={s.id} initial={{ name: s.name, description: s.description, criteria: s.criteria as Group }} />;
}
