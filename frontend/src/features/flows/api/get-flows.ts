import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api-client';
import type { Page } from '@/lib/api';

import type { Flow } from './types';

export const getFlows = async () => (await api.get<Page<Flow>>('/api/flows', { params: { limit: 200 } })).data;

export const flowsQuery = () => queryOptions({ queryKey: ['flows', 'list'], queryFn: getFlows });

export const useFlows = () => useQuery(flowsQuery());
