import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api-client';
import type { Schemas } from '@/lib/api';

export type TimelineItem = Schemas['TimelineItem'];

export const getCustomerTimeline = async (id: number) =>
  (await api.get<TimelineItem[]>(`/api/customers/${id}/timeline`, { params: { limit: 50 } })).data;

export const customerTimelineQuery = (id: number) =>
  queryOptions({ queryKey: ['customers', 'timeline', id], queryFn: () => getCustomerTimeline(id) });

export const useCustomerTimeline = (id: number) => useQuery(customerTimelineQuery(id));
