import { queryOptions, useQuery } from '@tanstack/react-query';

import { env } from '@/config/env';
import { api } from '@/lib/api-client';
import type { Page } from '@/lib/api';

import type { FlowRun } from './types';

export const getRuns = async (id: number) =>
  (await api.get<Page<FlowRun>>(`/api/flows/${id}/runs`, { params: { limit: 100 } })).data;

export const runsQuery = (id: number) => queryOptions({ queryKey: ['flows', 'runs', id], queryFn: () => getRuns(id) });

const MOVING = ['running', 'waiting'];

/** Polls while the flow can start runs or any run is still moving, so new runs appear and the
 * current step follows the workflow. */
export const useRuns = (id: number, flowLive: boolean) =>
  useQuery({
    ...runsQuery(id),
    refetchInterval: (q) =>
      flowLive || q.state.data?.data.some((r) => MOVING.includes(r.status)) ? env.pollMs * 2 : false,
  });
