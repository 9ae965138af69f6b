import { Link, useNavigate } from 'react-router';

import { StatusBadge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, PageHeader } from '@/components/ui/card';
import { FormError } from '@/components/ui/form';
import { QueryState } from '@/components/ui/states';
import { errorMessage } from '@/lib/api-client';
import { dateTime } from '@/lib/format';

import { useCampaignAction, useDeleteCampaign, type Action } from '../api/campaign-actions';
import { useCampaign } from '../api/get-campaign';
import { LIVE_STATUSES, type Campaign } from '../api/types';
import { CampaignProgress } from './campaign-progress';
import { CampaignStats } from './campaign-stats';
import { ScheduleForm } from './schedule-form';

const ACTIONS: Record<string, Action[]> = {
  draft: ['launch'],
  scheduled: ['launch', 'cancel'],
  sending: ['pause', 'cancel'],
  paused: ['resume', 'cancel'],
};
const LABELS: Record<Action, string> = { launch: 'Launch now', pause: 'Pause', resume: 'Resume', cancel: 'Cancel' };

function Actions({ campaign }: { campaign: Campaign }) {
  const action = useCampaignAction(campaign.id);
  const remove = useDeleteCampaign(campaign.id);
  const navigate = useNavigate();
  const editable = campaign.status === 'draft' || campaign.status === 'scheduled';
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-2">
        {(ACTIONS[campaign.status] ?? []).map((a) => (
          <Button
            key={a}
            variant={a === 'cancel' ? 'danger' : 'primary'}
            busy={action.isPending && action.variables === a}
            disabled={action.isPending}
            onClick={() => (a !== 'cancel' || window.confirm('Cancel this campaign? Messages not sent yet will not be.')) && action.mutate(a)}
          >
            {LABELS[a]}
          </Button>
        ))}
        {editable && (
          <Link to={`/campaigns/${campaign.id}/edit`} className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50">
            Edit
          </Link>
        )}
        {campaign.status === 'draft' && (
          <Button
            variant="ghost"
            busy={remove.isPending}
            onClick={() => window.confirm('Delete this draft?') && remove.mutate(undefined, { onSuccess: () => navigate('/campaigns') })}
          >
            Delete
          </Button>
        )}
      </div>
      <FormError message={action.isError ? errorMessage(action.error) : remove.isError ? errorMessage(remove.error) : null} />
    </div>
  );
}

export function CampaignDetail({ id }: { id: number }) {
  const campaign = useCampaign(id);
  return (
    <QueryState query={campaign}>
      {(c) => (
        <>
          <PageHeader
            title={
              <span className="flex flex-wrap items-center gap-2">
                {c.name} <StatusBadge status={c.status} />
              </span>
            }
            actions={<Actions campaign={c} />}
          />
          <div className="space-y-4">
            {c.error && <FormError message={c.error} />}
            {c.status !== 'draft' && <CampaignProgress id={c.id} />}
            {(c.status === 'draft' || c.status === 'scheduled') && <ScheduleForm id={c.id} />}
            {c.status !== 'draft' && <CampaignStats id={c.id} status={c.status} live={LIVE_STATUSES.includes(c.status)} />}
            <Card title="Details">
              <dl className="grid grid-cols-[9rem_1fr] gap-y-1 text-sm">
                <dt className="text-slate-500">Channel</dt>
                <dd>{c.channel}</dd>
                <dt className="text-slate-500">Segment</dt>
                <dd>{c.segment_id ? <Link className="text-indigo-700 hover:underline" to={`/segments/${c.segment_id}`}>#{c.segment_id}</Link> : '—'}</dd>
                <dt className="text-slate-500">Scheduled</dt>
                <dd>
                  {dateTime(c.scheduled_at)}
                  {c.schedule_timezone ? ` (${c.schedule_timezone})` : ''}
                </dd>
                <dt className="text-slate-500">Started</dt>
                <dd>{dateTime(c.started_at)}</dd>
                <dt className="text-slate-500">Completed</dt>
                <dd>{dateTime(c.completed_at)}</dd>
                <dt className="text-slate-500">Subject</dt>
                <dd className="break-words">{c.steps[0]?.subject || c.steps[0]?.title || '—'}</dd>
                <dt className="text-slate-500">Workflow</dt>
                <dd className="break-all">
                  <a className="text-indigo-700 hover:underline" href={c.temporal_url} target="_blank" rel="noreferrer">
                    {c.workflow_id} in Temporal ↗
                  </a>
                </dd>
              </dl>
              <Link to={`/messages?campaign_id=${c.id}`} className="mt-3 inline-block text-sm text-indigo-700 hover:underline">
                See the messages of this campaign →
              </Link>
            </Card>
          </div>
        </>
      )}
    </QueryState>
  );
}
