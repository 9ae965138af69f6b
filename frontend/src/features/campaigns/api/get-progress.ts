import { queryOptions, useQuery } from '@tanstack/react-query';

import { env } from '@/config/env';
import { api } from '@/lib/api-client';

import type { Progress } from './types';

export const getProgress = async (id: number) =>
  (await api.get<Progress>(`/api/campaigns/${id}/progress`)).data;

export const progressQuery = (id: number) =>
  queryOptions({ queryKey: ['campaigns', 'progress', id], queryFn: () => getProgress(id) });

const MOVING = ['sending', 'scheduled'];

/** Polls while messages are going out; stops once the run settles. */
export const useProgress = (id: number) =>
  useQuery({
    ...progressQuery(id),
    refetchInterval: (q) => (!q.state.data || MOVING.includes(q.state.data.status) ? env.pollMs : false),
  });
