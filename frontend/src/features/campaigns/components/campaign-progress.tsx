import { Card } from '@/components/ui/card';
import { ProgressBar } from '@/components/ui/progress';
import { ErrorState, Loading } from '@/components/ui/states';
import { number } from '@/lib/format';

import { useProgress } from '../api/get-progress';

export function CampaignProgress({ id }: { id: number }) {
  const progress = useProgress(id);
  if (progress.isPending) return <Loading />;
  if (progress.isError) return <ErrorState error={progress.error} retry={() => progress.refetch()} />;
  const p = progress.data;
  const done = p.sent + p.failed + p.skipped;
  const pct = p.total > 0 ? (done / p.total) * 100 : p.status === 'completed' ? 100 : 0;
  return (
    <Card title="Progress">
      <ProgressBar value={pct} label={`${number(done)} of ${number(p.total)} handled`} />
      <dl className="mt-3 grid grid-cols-2 gap-2 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-slate-500">Sent</dt>
          <dd className="font-medium" data-testid="progress-sent">{number(p.sent)}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Failed</dt>
          <dd className="font-medium">{number(p.failed)}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Skipped (no consent)</dt>
          <dd className="font-medium">{number(p.skipped)}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Rate</dt>
          <dd className="font-medium">
            {p.rate_per_second.toFixed(1)}/s
            {p.eta_seconds != null && p.remaining > 0 ? ` · ${Math.ceil(p.eta_seconds)} s left` : ''}
          </dd>
        </div>
      </dl>
    </Card>
  );
}
