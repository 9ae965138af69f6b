import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api-client';
import type { Schemas } from '@/lib/api';

export type CustomerDetail = Schemas['CustomerDetail'];

export const getCustomer = async (id: number) =>
  (await api.get<CustomerDetail>(`/api/customers/${id}`)).data;

export const customerQuery = (id: number) =>
  queryOptions({ queryKey: ['customers', 'detail', id], queryFn: () => getCustomer(id) });

export const useCustomer = (id: number) => useQuery(customerQuery(id));
