import {
  cloneElement,
  isValidElement,
  useId,
  type InputHTMLAttributes,
  type ReactElement,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';

const control =
  'block rounded-md border-0 bg-white px-2.5 py-1.5 text-sm ring-1 ring-slate-300 focus:outline-none focus:ring-2 focus:ring-indigo-500 aria-[invalid=true]:ring-red-500';

/** A labelled control: the label names it, the error or hint describes it (aria-describedby). */
export function Field({
  label,
  error,
  hint,
  children,
  className = '',
}: {
  label: string;
  error?: string;
  hint?: string;
  children: ReactElement<{ id?: string; 'aria-describedby'?: string }>;
  className?: string;
}) {
  const id = useId();
  const noteId = `${id}-note`;
  const control = isValidElement(children)
    ? cloneElement(children, { id, 'aria-describedby': error || hint ? noteId : undefined })
    : children;
  return (
    <div className={`block text-sm ${className}`}>
      <label htmlFor={id} className="mb-1 block font-medium text-slate-700">
        {label}
      </label>
      {control}
      {error ? (
        <span id={noteId} role="alert" className="mt-1 block text-xs text-red-700">
          {error}
        </span>
      ) : hint ? (
        <span id={noteId} className="mt-1 block text-xs text-slate-500">
          {hint}
        </span>
      ) : null}
    </div>
  );
}

// Full width unless the caller sets a width (Tailwind cannot tell which of two widths wins).
const classes = (className: string) => `${control} ${/(^|\s)w-/.test(className) ? '' : 'w-full'} ${className}`;

export function Input({ className = '', ...rest }: InputHTMLAttributes<HTMLInputElement>) {
  return <input {...rest} className={classes(className)} />;
}

export function Select({ className = '', ...rest }: SelectHTMLAttributes<HTMLSelectElement>) {
  return <select {...rest} className={classes(className)} />;
}

export function Textarea({ className = '', ...rest }: TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return <textarea {...rest} className={`${classes(className)} font-mono`} />;
}

/** A form-level message: the server's refusal, shown where the user is working. */
export function FormError({ message }: { message?: string | null }) {
  if (!message) return null;
  return (
    <div role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">
      {message}
    </div>
  );
}
