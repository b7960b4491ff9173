"use client";
import { useFormStatus } from "react-dom";
import { Button, type ButtonVariant } from "./button";

/** A submit button that disables itself and says what it is doing while the form is pending. */
export function SubmitButton({ children, pendingLabel, variant, name, value, className, pending: forced }: { children: React.ReactNode; pendingLabel: string; variant?: ButtonVariant; name?: string; value?: string; className?: string; pending?: boolean }) {
  const { pending } = useFormStatus();
  return (
    <Button type="submit" variant={variant} name={name} value={value} pending={pending || forced} pendingLabel={pendingLabel} className={className}>
      {children}
    </Button>
  );
}
