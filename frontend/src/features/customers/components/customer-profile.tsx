import { Link } from 'react-router';

import { StatusBadge } from '@/components/ui/badge';
import { Card, PageHeader, Stat } from '@/components/ui/card';
import { FormError } from '@/components/ui/form';
import { Empty, QueryState } from '@/components/ui/states';
import { Table, Td } from '@/components/ui/table';
import { errorMessage } from '@/lib/api-client';
import { dateTime, fullName, money, number } from '@/lib/format';

import { useCustomer, type CustomerDetail } from '../api/get-customer';
import { useCustomerOrders } from '../api/get-customer-orders';
import { useCustomerTimeline } from '../api/get-customer-timeline';
import { useUpdatePreferences } from '../api/update-preferences';

function Consent({ customer }: { customer: CustomerDetail }) {
  const update = useUpdatePreferences(customer.id);
  const prefs = customer.preferences;
  const toggle = (key: 'email_opt_in' | 'push_opt_in', label: string) => (
    <label className="flex items-center justify-between gap-3 py-1.5 text-sm">
      <span>{label}</span>
      <input
        type="checkbox"
        className="size-4 accent-indigo-600"
        checked={Boolean(prefs?.[key])}
        disabled={update.isPending}
        onChange={(e) => update.mutate({ [key]: e.target.checked })}
      />
    </label>
  );
  return (
    <Card title="Consent">
      {toggle('email_opt_in', 'Marketing email')}
      {toggle('push_opt_in', 'Push notifications')}
      <p className="mt-1 text-xs text-slate-500">
        Source: {prefs?.source ?? '—'} · updated {dateTime(prefs?.updated_at)}
      </p>
      <FormError message={update.isError ? errorMessage(update.error) : null} />
    </Card>
  );
}

function Orders({ id }: { id: number }) {
  const orders = useCustomerOrders(id);
  return (
    <Card title="Orders">
      <QueryState query={orders}>
        {(page) =>
          page.data.length === 0 ? (
            <Empty title="No orders yet" />
          ) : (
            <Table head={['Order', 'Placed', 'Items', 'Total']}>
              {page.data.map((o) => (
                <tr key={o.id}>
                  <Td>#{o.id}</Td>
                  <Td>{dateTime(o.placed_at)}</Td>
                  <Td>{o.items?.length ?? 0}</Td>
                  <Td>{money(o.total)}</Td>
                </tr>
              ))}
            </Table>
          )
        }
      </QueryState>
    </Card>
  );
}

function Timeline({ id }: { id: number }) {
  const timeline = useCustomerTimeline(id);
  return (
    <Card title="Timeline">
      <QueryState query={timeline}>
        {(items) =>
          items.length === 0 ? (
            <Empty title="Nothing has happened yet" />
          ) : (
            <ol className="space-y-2">
              {items.map((item, i) => (
                <li key={i} className="flex gap-3 text-sm">
                  <span className="w-20 shrink-0 text-xs uppercase text-slate-400">{item.kind.replace('_', ' ')}</span>
                  <span className="min-w-0 flex-1">
                    <span className="font-medium">{item.title}</span>
                    {typeof item.detail?.status === 'string' && (
                      <span className="ml-2">
                        <StatusBadge status={item.detail.status} />
                      </span>
                    )}
                    <span className="block text-xs text-slate-500">{dateTime(item.at)}</span>
                  </span>
                </li>
              ))}
            </ol>
          )
        }
      </QueryState>
    </Card>
  );
}

export function CustomerProfile({ id }: { id: number }) {
  const customer = useCustomer(id);
  return (
    <QueryState query={customer}>
      {(c) => (
        <>
          <PageHeader
            title={fullName(c)}
            actions={
              <Link to={`/messages?customer_id=${c.id}`} className="text-sm text-indigo-700 hover:underline">
                Messages to this customer
              </Link>
            }
          />
          <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
            <Stat label="Total spent" value={money(c.metrics?.total_spent ?? 0)} />
            <Stat label="Orders" value={number(c.metrics?.order_count ?? 0)} />
            <Stat label="Average order" value={money(c.metrics?.avg_order_value ?? 0)} />
            <Stat label="Last order" value={<span className="text-base">{dateTime(c.metrics?.last_order_at)}</span>} />
          </div>
          <div className="mt-4 grid gap-4 *:min-w-0 lg:grid-cols-3">
            <div className="space-y-4">
              <Card title="Profile">
                <dl className="grid grid-cols-[7rem_1fr] gap-y-1 text-sm">
                  <dt className="text-slate-500">Email</dt>
                  <dd className="break-all">{c.email}</dd>
                  <dt className="text-slate-500">Phone</dt>
                  <dd>{c.phone ?? '—'}</dd>
                  <dt className="text-slate-500">Location</dt>
                  <dd>{[c.city, c.country].filter(Boolean).join(', ') || '—'}</dd>
                  <dt className="text-slate-500">Timezone</dt>
                  <dd>{c.timezone ?? '—'}</dd>
                  <dt className="text-slate-500">Since</dt>
                  <dd>{dateTime(c.created_at)}</dd>
                  {Object.entries(c.attributes ?? {}).map(([k, v]) => (
                    <div key={k} className="contents">
                      <dt className="truncate text-slate-500">{k}</dt>
                      <dd className="break-all">{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
                    </div>
                  ))}
                </dl>
              </Card>
              <Consent customer={c} />
            </div>
            <div className="space-y-4 lg:col-span-2">
              <Orders id={c.id} />
              <Timeline id={c.id} />
            </div>
          </div>
        </>
      )}
    </QueryState>
  );
}
