import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api-client';
import type { Page, Schemas } from '@/lib/api';

export type Order = Schemas['OrderPublic'];

export const getCustomerOrders = async (id: number) =>
  (await api.get<Page<Order>>(`/api/customers/${id}/orders`, { params: { limit: 20 } })).data;

export const customerOrdersQuery = (id: number) =>
  queryOptions({ queryKey: ['customers', 'orders', id], queryFn: () => getCustomerOrders(id) });

export const useCustomerOrders = (id: number) => useQuery(customerOrdersQuery(id));
