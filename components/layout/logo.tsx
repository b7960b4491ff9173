export function Logo({ className }: { className?: string }) {
  return (
    <span className={className}>
      <svg viewBox="0 0 32 32" className="h-7 w-7" aria-hidden="true">
        <rect width="32" height="32" rx="7" fill="#4f46e5" />
        <path d="M7 11l9 6 9-6v11H7z" fill="none" stroke="#fff" strokeWidth="2" strokeLinejoin="round" />
        <path d="M7 11h18" stroke="#fff" strokeWidth="2" />
      </svg>
    </span>
  );
}
