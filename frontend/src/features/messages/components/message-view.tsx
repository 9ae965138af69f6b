import { StatusBadge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Loading } from '@/components/ui/states';
import { dateTime } from '@/lib/format';

import { useMessage } from '../api/get-message';
import type { Message } from '../api/types';

/** The message as the recipient saw it: the stored rendering, in a sandboxed frame. */
export function MessageView({ message, onClose }: { message: Message; onClose: () => void }) {
  // The list may leave out the body; the detail endpoint has it.
  const detail = useMessage(message.html || message.payload ? undefined : message.id);
  const m = { ...message, ...(detail.data ?? {}) };
  const push = (m.payload ?? {}) as { title?: string; body?: string };
  return (
    <Card
      title={
        <span className="flex items-center gap-2">
          Message #{m.id} <StatusBadge status={m.status} />
        </span>
      }
      actions={
        <Button variant="ghost" onClick={onClose} aria-label="Close message">
          ✕
        </Button>
      }
    >
      <dl className="mb-3 grid grid-cols-[6rem_1fr] gap-y-1 text-sm">
        <dt className="text-slate-500">To</dt>
        <dd className="break-all">{m.to_address ?? `customer #${m.customer_id}`}</dd>
        <dt className="text-slate-500">Channel</dt>
        <dd>{m.channel}</dd>
        <dt className="text-slate-500">Sent</dt>
        <dd>{dateTime(m.sent_at)}</dd>
        {m.skip_reason && (
          <>
            <dt className="text-slate-500">Skipped</dt>
            <dd>{m.skip_reason}</dd>
          </>
        )}
        {m.last_error && (
          <>
            <dt className="text-slate-500">Error</dt>
            <dd className="text-red-700">{m.last_error}</dd>
          </>
        )}
      </dl>
      {detail.isFetching ? (
        <Loading />
      ) : m.channel === 'push' ? (
        <div className="rounded-xl bg-slate-900 p-3 text-white">
          <div className="text-sm font-semibold">{push.title ?? m.subject}</div>
          <div className="text-sm text-slate-200">{push.body ?? m.text}</div>
        </div>
      ) : m.html ? (
        <>
          <p className="mb-2 text-sm font-medium">{m.subject}</p>
          <iframe title="Message as received" sandbox="" className="h-96 w-full rounded-md bg-white ring-1 ring-slate-200" srcDoc={m.html} />
        </>
      ) : (
        <p className="text-sm text-slate-500">No rendered body was stored for this message{m.status === 'pending' ? ' yet' : ''}.</p>
      )}
    </Card>
  );
}
