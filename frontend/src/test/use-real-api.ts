import { inject } from 'vitest';

import { api } from '@/lib/api-client';

/** Points the app's HTTP client at the API the global setup started, with its API key. */
export function useRealApi() {
  const server = inject('api');
  api.defaults.baseURL = server.baseURL;
  api.defaults.headers.common.Authorization = `Bearer ${server.apiKey}`;
  return server;
}
