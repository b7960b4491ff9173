export function alreadyRunningMessage(pid: number): string;
export function runningInstance(dataDir: string): number | null;
export function acquireInstanceLock(dataDir: string): void;
export function pendingMigrations(databaseFile: string, migrationsDir: string): string[];
export function secureDataDir(dataDir: string, databaseFile: string): string[];
export function prepareDataDir(options: { root: string; dataDir: string; databaseFile: string; env?: NodeJS.ProcessEnv }): { applied: string[] };
