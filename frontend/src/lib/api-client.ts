import axios, { AxiosError } from 'axios';

import { env } from '@/config/env';

// The one HTTP client. It sends the session cookie and leaves responses alone: callers get
// typed data or an AxiosError; `errorMessage` turns the latter into what a person can act on.
export const api = axios.create({
  baseURL: env.apiBase,
  withCredentials: true,
  headers: { 'Content-Type': 'application/json' },
});

type ErrorBody = { detail?: unknown; message?: string; field?: string };

export function isUnauthorized(error: unknown): boolean {
  return error instanceof AxiosError && error.response?.status === 401;
}

export function errorField(error: unknown): string | undefined {
  if (error instanceof AxiosError) return (error.response?.data as ErrorBody | undefined)?.field;
  return undefined;
}

/** The server's own words when it refused (4xx), otherwise a short description. */
export function errorMessage(error: unknown): string {
  if (error instanceof AxiosError) {
    const body = error.response?.data as ErrorBody | undefined;
    if (body?.message) return body.message;
    if (typeof body?.detail === 'string') return body.detail;
    if (Array.isArray(body?.detail)) {
      return body.detail
        .map((d: { loc?: unknown[]; msg?: string }) =>
          `${(d.loc ?? []).filter((p) => p !== 'body').join('.')}: ${d.msg ?? 'invalid'}`,
        )
        .join('; ');
    }
    if (!error.response) return 'The server could not be reached. Check your connection.';
    return `The server answered ${error.response.status}.`;
  }
  return error instanceof Error ? error.message : String(error);
}
