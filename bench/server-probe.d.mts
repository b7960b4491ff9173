export function rssMb(pid: number): number;
export function timeLogin(port: number): Promise<number>;
export function waitUp(port: number): Promise<void>;
