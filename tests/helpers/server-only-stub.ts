// Stand-in for the `server-only` package under vitest (outside a React Server Components build).
export {};
