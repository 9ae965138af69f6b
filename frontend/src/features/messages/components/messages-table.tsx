import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';

import { StatusBadge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { PageHeader } from '@/components/ui/card';
import { Select } from '@/components/ui/form';
import { Empty, ErrorState, Loading } from '@/components/ui/states';
import { Table, Td } from '@/components/ui/table';
import { dateTime } from '@/lib/format';

import { useMessages } from '../api/get-messages';
import type { Message, MessageFilters } from '../api/types';
import { MessageView } from './message-view';

export function MessagesTable({ filters }: { filters: MessageFilters }) {
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  const messages = useMessages({ ...filters, status: status || undefined });
  const [open, setOpen] = useState<Message | null>(null);
  const rows = messages.data?.pages.flatMap((p) => p.data) ?? [];
  const scope = filters.campaign_id
    ? `campaign #${filters.campaign_id}`
    : filters.flow_id
      ? `flow #${filters.flow_id}`
      : filters.customer_id
        ? `customer #${filters.customer_id}`
        : null;
  return (
    <>
      <PageHeader
        title={scope ? `Messages · ${scope}` : 'Messages'}
        actions={
          <>
            {scope && (
              <Link to="/messages" className="px-2 py-1.5 text-sm text-indigo-700">
                All messages
              </Link>
            )}
            <Select
              aria-label="Status"
              className="w-auto"
              value={status}
              onChange={(e) => {
                const next = new URLSearchParams(params);
                if (e.target.value) next.set('status', e.target.value);
                else next.delete('status');
                setParams(next);
              }}
            >
              <option value="">Any status</option>
              {['pending', 'sent', 'failed', 'skipped'].map((s) => (
                <option key={s}>{s}</option>
              ))}
            </Select>
          </>
        }
      />
      <div className="grid gap-4 2xl:grid-cols-5">
        <div className={`min-w-0 ${open ? '2xl:col-span-3' : '2xl:col-span-5'}`}>
          {messages.isPending ? (
            <Loading />
          ) : messages.isError ? (
            <ErrorState error={messages.error} retry={() => messages.refetch()} />
          ) : rows.length === 0 ? (
            <Empty title="No messages yet">Messages appear here as campaigns and flows send them.</Empty>
          ) : (
            <>
              <Table head={['#', 'To', 'Subject', 'Channel', 'Status', 'Opens', 'Clicks', 'Sent']}>
                {rows.map((m) => (
                  <tr key={m.id} data-testid="message-row" className={`cursor-pointer hover:bg-slate-50 ${open?.id === m.id ? 'bg-indigo-50' : ''}`} onClick={() => setOpen(m)}>
                    <Td>{m.id}</Td>
                    <Td>{m.to_address ?? `#${m.customer_id}`}</Td>
                    <Td className="max-w-64 truncate">{m.subject ?? '—'}</Td>
                    <Td>{m.channel}</Td>
                    <Td>
                      <StatusBadge status={m.status} />
                    </Td>
                    <Td>{m.open_count ?? 0}</Td>
                    <Td>{m.click_count ?? 0}</Td>
                    <Td className="text-slate-500">{dateTime(m.sent_at)}</Td>
                  </tr>
                ))}
              </Table>
              {messages.hasNextPage && (
                <Button className="mt-3" variant="secondary" busy={messages.isFetchingNextPage} onClick={() => messages.fetchNextPage()}>
                  Load more
                </Button>
              )}
            </>
          )}
        </div>
        {open && (
          <div className="order-first min-w-0 2xl:order-none 2xl:col-span-2">
            <MessageView key={open.id} message={open} onClose={() => setOpen(null)} />
          </div>
        )}
      </div>
    </>
  );
}
