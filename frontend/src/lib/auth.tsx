import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, type ReactNode } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';

import { api, isUnauthorized } from './api-client';
import type { Schemas } from './api';
import { setUnauthorizedHandler } from './query-client';

export type Me = Schemas['MeResponse'];
export type LoginInput = Schemas['LoginRequest'];

export const meQuery = queryOptions({
  queryKey: ['auth', 'me'],
  queryFn: async (): Promise<Me | null> => {
    try {
      return (await api.get<Me>('/api/auth/me')).data;
    } catch (error) {
      if (isUnauthorized(error)) return null; // not logged in is an answer, not an error
      throw error;
    }
  },
  staleTime: Infinity,
});

export const useMe = () => useQuery(meQuery);

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (input: LoginInput) => (await api.post<Me>('/api/auth/login', input)).data,
    onSuccess: (me) => client.setQueryData(meQuery.queryKey, me),
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      await api.post('/api/auth/logout');
    },
    onSettled: () => {
      client.clear();
      client.setQueryData(meQuery.queryKey, null);
    },
  });
}

/** Registers the 401 handler: forget who we were and go to the login page. */
export function AuthSync() {
  const client = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  useEffect(() => {
    setUnauthorizedHandler(() => {
      client.setQueryData(meQuery.queryKey, null);
      if (location.pathname !== '/login') {
        navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
      }
    });
  }, [client, navigate, location]);
  return null;
}

export function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) {
    return <div className="p-8 text-slate-500">Loading…</div>;
  }
  if (me.isError) {
    return <div className="p-8 text-red-700">The API is unreachable. Retry in a moment.</div>;
  }
  if (!me.data) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/login?next=${next}`} replace />;
  }
  return <>{children}</>;
}
