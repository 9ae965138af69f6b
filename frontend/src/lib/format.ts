export const number = (n: number | null | undefined): string =>
  n == null ? '—' : new Intl.NumberFormat('en-US').format(n);

export const money = (n: number | null | undefined): string =>
  n == null
    ? '—'
    : new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(n);

export const percent = (n: number | null | undefined): string =>
  n == null ? '—' : `${(n * 100).toFixed(1)} %`;

export const dateTime = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '—';

export const fullName = (c: { first_name?: string; last_name?: string; email: string }): string =>
  [c.first_name, c.last_name].filter(Boolean).join(' ') || c.email;
