import { useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';

import { Button } from '@/components/ui/button';
import { Card, PageHeader } from '@/components/ui/card';
import { Field, FormError, Input, Select, Textarea } from '@/components/ui/form';
import { ErrorState, Loading } from '@/components/ui/states';
import { errorField, errorMessage } from '@/lib/api-client';

import { useCampaign } from '../api/get-campaign';
import { useSegmentOptions } from '../api/get-segment-options';
import { useSaveCampaign } from '../api/save-campaign';
import type { Campaign } from '../api/types';
import { TemplatePreview } from './template-preview';

export type CampaignDraft = {
  name: string;
  segment_id: string;
  channel: 'email' | 'push';
  subject: string;
  html: string;
  title: string;
  body: string;
  /** An email campaign may send a push too (title and body above), once per customer each. */
  push_too: boolean;
};

const BLANK: CampaignDraft = {
  name: '',
  segment_id: '',
  channel: 'email',
  subject: '',
  html: '<h1>Hello {{ customer.first_name }}</h1>\n<p>We picked something for you.</p>',
  title: '',
  body: '',
  push_too: false,
};

/** A step's defaults (the generated type lists them all). */
const STEP = { variant: 'A', split_percent: 100, subject: '', preheader: '', html: '', title: '', body: '' };

export function draftOf(c: Campaign): CampaignDraft {
  const step = c.steps[0];
  const push = c.channel === 'email' ? c.steps.find((s) => s.channel === 'push') : undefined;
  return {
    name: c.name,
    segment_id: c.segment_id ? String(c.segment_id) : '',
    channel: c.channel === 'push' ? 'push' : 'email',
    subject: step?.subject ?? '',
    html: step?.html ?? '',
    title: (push ?? step)?.title ?? '',
    body: (push ?? step)?.body ?? '',
    push_too: Boolean(push),
  };
}

/** Client-side checks: the server checks again, and its refusal is shown as well. */
export function checkDraft(d: CampaignDraft): Partial<Record<keyof CampaignDraft, string>> {
  const errors: Partial<Record<keyof CampaignDraft, string>> = {};
  if (!d.name.trim()) errors.name = 'Give the campaign a name';
  if (!d.segment_id) errors.segment_id = 'Choose who receives it';
  if (d.channel === 'email') {
    if (!d.subject.trim()) errors.subject = 'An email needs a subject';
    if (!d.html.trim()) errors.html = 'An email needs a body';
  }
  if (d.channel === 'push' || d.push_too) {
    if (!d.title.trim()) errors.title = 'A push needs a title';
    if (!d.body.trim()) errors.body = 'A push needs a body';
  }
  return errors;
}

function Form({ id, initial }: { id?: number; initial: CampaignDraft }) {
  const navigate = useNavigate();
  const segments = useSegmentOptions();
  const save = useSaveCampaign(id);
  const [draft, setDraft] = useState(initial);
  const [touched, setTouched] = useState(false);
  const errors = touched ? checkDraft(draft) : {};
  const serverField = save.isError ? errorField(save.error) : undefined;
  const set = <K extends keyof CampaignDraft>(key: K, value: CampaignDraft[K]) => {
    if (save.isError) save.reset(); // the refusal was about what is being changed now
    setDraft((d) => ({ ...d, [key]: value }));
  };

  const submit = () => {
    setTouched(true);
    if (Object.keys(checkDraft(draft)).length) return;
    const email = { subject: draft.subject.trim(), html: draft.html };
    const push = { title: draft.title.trim(), body: draft.body.trim() };
    // Steps per channel when a push goes with the email (or no longer does); else the simple form.
    const content =
      draft.channel === 'email' && (draft.push_too || initial.push_too)
        ? {
            steps: [
              { ...STEP, channel: 'email' as const, ...email },
              ...(draft.push_too ? [{ ...STEP, channel: 'push' as const, ...push }] : []),
            ],
          }
        : draft.channel === 'email'
          ? email
          : push;
    save.mutate(
      { name: draft.name.trim(), segment_id: Number(draft.segment_id), channel: draft.channel, ...content },
      { onSuccess: (c) => navigate(`/campaigns/${c.id}`) },
    );
  };
  const fieldError = (k: keyof CampaignDraft) => errors[k] ?? (serverField === k ? errorMessage(save.error) : undefined);

  return (
    <>
      <PageHeader
        title={id ? `Edit: ${initial.name}` : 'New campaign'}
        actions={
          <>
            {id && (
              <Link to={`/campaigns/${id}`} className="px-3 py-1.5 text-sm text-slate-600">
                Cancel
              </Link>
            )}
            <Button busy={save.isPending} onClick={submit}>
              Save campaign
            </Button>
          </>
        }
      />
      <div className="grid gap-4 *:min-w-0 lg:grid-cols-2">
        <Card>
          <div className="space-y-3">
            <Field label="Name" error={fieldError('name')}>
              <Input aria-invalid={Boolean(fieldError('name'))} value={draft.name} onChange={(e) => set('name', e.target.value)} />
            </Field>
            <Field label="Audience (segment)" error={fieldError('segment_id')} hint={segments.isError ? errorMessage(segments.error) : undefined}>
              <Select aria-invalid={Boolean(fieldError('segment_id'))} value={draft.segment_id} onChange={(e) => set('segment_id', e.target.value)}>
                <option value="">{segments.isPending ? 'Loading segments…' : 'Choose a segment'}</option>
                {segments.data?.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                    {s.customer_count != null ? ` (${s.customer_count})` : ''}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="Channel">
              <Select value={draft.channel} onChange={(e) => set('channel', e.target.value as CampaignDraft['channel'])}>
                <option value="email">Email</option>
                <option value="push">Push</option>
              </Select>
            </Field>
            {draft.channel === 'email' && (
              <>
                <Field label="Subject" error={fieldError('subject')}>
                  <Input aria-invalid={Boolean(fieldError('subject'))} value={draft.subject} onChange={(e) => set('subject', e.target.value)} />
                </Field>
                <Field label="HTML" error={fieldError('html')} hint="Jinja: {{ customer.first_name }}, {{ customer.last_name }}, {{ customer.email }} …">
                  <Textarea rows={12} aria-invalid={Boolean(fieldError('html'))} value={draft.html} onChange={(e) => set('html', e.target.value)} />
                </Field>
                <label className="flex items-center gap-2 text-sm text-slate-700">
                  <input type="checkbox" checked={draft.push_too} onChange={(e) => set('push_too', e.target.checked)} />
                  Also send a push notification
                </label>
              </>
            )}
            {(draft.channel === 'push' || draft.push_too) && (
              <>
                <Field label={draft.channel === 'push' ? 'Title' : 'Push title'} error={fieldError('title')}>
                  <Input value={draft.title} onChange={(e) => set('title', e.target.value)} />
                </Field>
                <Field label={draft.channel === 'push' ? 'Body' : 'Push body'} error={fieldError('body')}>
                  <Textarea rows={4} className="font-sans" value={draft.body} onChange={(e) => set('body', e.target.value)} />
                </Field>
              </>
            )}
            <FormError message={save.isError && !serverField ? errorMessage(save.error) : null} />
            {touched && Object.keys(errors).length > 0 && <FormError message="Some fields need attention before saving." />}
          </div>
        </Card>
        <TemplatePreview
          content={
            draft.channel === 'email'
              ? { channel: 'email', subject: draft.subject, html: draft.html }
              : { channel: 'push', title: draft.title, body: draft.body }
          }
        />
      </div>
    </>
  );
}

export function CampaignEditor({ id }: { id?: number }) {
  const campaign = useCampaign(id);
  const location = useLocation();
  const proposed = (location.state as Partial<CampaignDraft> | null) ?? {};
  if (id === undefined) return <Form initial={{ ...BLANK, ...proposed }} />;
  if (campaign.isPending) return <Loading />;
  if (campaign.isError) return <ErrorState error={campaign.error} retry={() => campaign.refetch()} />;
  return <Form id={id} initial={draftOf(campaign.data)} />;
}
