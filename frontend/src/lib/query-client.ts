import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';

import { isUnauthorized } from './api-client';

// A 401 anywhere means the session is gone: whoever registered here (the auth provider)
// sends the user back to the login page. Nothing else reacts to HTTP errors globally.
let onUnauthorized: () => void = () => {};

export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

function handle(error: unknown): void {
  if (isUnauthorized(error)) onUnauthorized();
}

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({ onError: handle }),
    mutationCache: new MutationCache({ onError: handle }),
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        refetchOnWindowFocus: false,
        retry: (count, error) => !isUnauthorized(error) && count < 1,
      },
    },
  });
}
