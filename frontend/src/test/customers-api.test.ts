// @vitest-environment node
// The customers and metrics API modules against the real API (see global-setup.ts).
import { beforeAll, describe, expect, it } from 'vitest';

import { getOverview } from '@/features/dashboard/api/get-overview';
import { getTimeseries } from '@/features/dashboard/api/get-timeseries';
import { getCustomer } from '@/features/customers/api/get-customer';
import { getCustomerOrders } from '@/features/customers/api/get-customer-orders';
import { getCustomerTimeline } from '@/features/customers/api/get-customer-timeline';
import { customersQuery, getCustomers } from '@/features/customers/api/get-customers';
import { importCustomers } from '@/features/customers/api/import-customers';
import { updatePreferences } from '@/features/customers/api/update-preferences';
import { api, errorField, errorMessage, isUnauthorized } from '@/lib/api-client';

import { useRealApi } from './use-real-api';

beforeAll(() => {
  useRealApi();
});

describe('customers', () => {
  it('pages through the list with keyset cursors', async () => {
    const first = await getCustomers({ limit: 10 });
    expect(first.data).toHaveLength(10);
    expect(first.next_cursor).toBeTruthy();
    const second = await getCustomers({ limit: 10, cursor: first.next_cursor! });
    expect(second.data[0].id).toBeGreaterThan(first.data[9].id);
    const options = customersQuery({ limit: 10 });
    expect(options.getNextPageParam(first, [first], undefined, [undefined])).toBe(first.next_cursor);
  });

  it('searches by email', async () => {
    const someone = (await getCustomers({ limit: 1 })).data[0];
    const found = await getCustomers({ q: someone.email });
    expect(found.data.map((c) => c.id)).toEqual([someone.id]);
  });

  it('reads a customer with orders and timeline, and toggles consent', async () => {
    const someone = (await getCustomers({ limit: 1 })).data[0];
    const detail = await getCustomer(someone.id);
    expect(detail.email).toBe(someone.email);
    expect(Array.isArray((await getCustomerOrders(someone.id)).data)).toBe(true);
    expect(Array.isArray(await getCustomerTimeline(someone.id))).toBe(true);
    const off = await updatePreferences(someone.id, { email_opt_in: false });
    expect(off.email_opt_in).toBe(false);
    expect((await getCustomer(someone.id)).preferences?.email_opt_in).toBe(false);
  });

  it('imports a CSV and lists its rejects', async () => {
    const csv = 'email,first_name,country\nnew.person@example.com,New,FR\nnot-an-email,Bad,FR\n';
    const shares: number[] = [];
    const result = await importCustomers(new File([csv], 'people.csv', { type: 'text/csv' }), (s) => shares.push(s));
    expect(result.created).toBe(1);
    expect(result.rejected).toBe(1);
    expect(result.rejects[0].row).toBe(3);
    expect((await getCustomers({ q: 'new.person@example.com' })).data).toHaveLength(1);
  });

  it("turns the server's refusal into its message and field", async () => {
    const refused = await api.post('/api/customers', { email: 'nope' }).catch((e) => e);
    expect(refused.response.status).toBe(422);
    expect(errorMessage(refused)).toMatch(/email/);
    const missing = await getCustomer(999_999).catch((e) => e);
    expect(errorMessage(missing)).toBe('customer 999999 not found');
    const clash = await api.post('/api/customers', { email: 'new.person@example.com' }).catch((e) => e);
    expect(errorField(clash)).toBe('email');
  });

  it('reports a missing session as unauthorized', async () => {
    const anonymous = await api.get('/api/customers', { headers: { Authorization: '' } }).catch((e) => e);
    expect(isUnauthorized(anonymous)).toBe(true);
  });
});

describe('metrics', () => {
  it('reads the overview and a daily series', async () => {
    const overview = await getOverview();
    expect(overview.customers).toBeGreaterThanOrEqual(30);
    expect(overview.orders).toBeGreaterThan(0);
    const series = await getTimeseries({ start: '2026-01-01', end: '2026-01-07' });
    expect(series.data.map((p) => p.date)).toHaveLength(7);
    const bad = await getTimeseries({ start: '2026-02-01', end: '2026-01-01' }).catch((e) => e);
    expect(errorMessage(bad)).toBe('start must be on or before end');
  });
});
