import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';

import { api } from '@/lib/api-client';
import type { Page, Schemas } from '@/lib/api';

export type Customer = Schemas['CustomerPublic'];
export type CustomersParams = { q?: string; limit?: number };

export const getCustomers = async (params: CustomersParams & { cursor?: string }) =>
  (await api.get<Page<Customer>>('/api/customers', { params })).data;

// Keyset pages: each page hands back the cursor of the next one, so a million rows stay fast.
export const customersQuery = (params: CustomersParams = {}) =>
  infiniteQueryOptions({
    queryKey: ['customers', 'list', params],
    queryFn: ({ pageParam }) => getCustomers({ ...params, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

export const useCustomers = (params: CustomersParams = {}) => useInfiniteQuery(customersQuery(params));
