export function serverNodeArgs(root: string): string[];
export function serverArgv(root: string, port: number | string, host: string): string[];
