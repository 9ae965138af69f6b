import { useNavigate } from 'react-router';

import { Button } from '@/components/ui/button';
import { FormError } from '@/components/ui/form';
import { errorMessage } from '@/lib/api-client';
import { number } from '@/lib/format';

import type { Proposal } from '../api/chat';
import { useCreateSegment } from '../api/create-segment';

type Campaign = { name: string; channel?: string; subject?: string; html?: string; title?: string; body?: string; steps?: { subject?: string; html?: string; title?: string; body?: string }[] };
type Audience = { name: string; criteria: Record<string, unknown>; explanation?: string };

/** One click turns a proposal into a filled-in editor; nothing is saved behind the user's back
 * except a campaign's audience, which must exist as a segment for the campaign to point at. */
export function ProposalCard({ proposal }: { proposal: Proposal }) {
  const navigate = useNavigate();
  const createSegment = useCreateSegment();
  const d = proposal.data as Record<string, unknown>;
  const apply = () => {
    if (proposal.kind === 'segment') {
      navigate('/segments/new', { state: { name: d.name, criteria: d.criteria } });
    } else if (proposal.kind === 'flow') {
      navigate('/flows/new', { state: d.flow });
    } else {
      const audience = d.audience as Audience;
      const c = d.campaign as Campaign;
      const step = c.steps?.[0] ?? c;
      createSegment.mutate(
        { name: audience.name, criteria: audience.criteria, description: audience.explanation },
        {
          onSuccess: (segment) =>
            navigate('/campaigns/new', {
              state: {
                name: c.name,
                channel: c.channel === 'push' ? 'push' : 'email',
                segment_id: String(segment.id),
                subject: step.subject ?? '',
                html: step.html ?? '',
                title: step.title ?? '',
                body: step.body ?? '',
              },
            }),
        },
      );
    }
  };
  const count = (d.count ?? d.audience_count) as number | undefined;
  return (
    <div data-testid="proposal" className="rounded-lg bg-white p-3 ring-1 ring-indigo-200">
      <div className="text-xs font-semibold uppercase text-indigo-600">{proposal.kind} proposal</div>
      <div className="font-medium">{proposal.title}</div>
      {typeof d.explanation === 'string' && d.explanation && <p className="mt-1 text-sm text-slate-600">{d.explanation}</p>}
      {count !== undefined && <p className="mt-1 text-sm text-slate-600">{number(count)} customers match now</p>}
      <Button className="mt-2" busy={createSegment.isPending} onClick={apply}>
        Apply {proposal.kind}
      </Button>
      <div className="mt-2">
        <FormError message={createSegment.isError ? errorMessage(createSegment.error) : null} />
      </div>
    </div>
  );
}
