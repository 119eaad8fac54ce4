export declare const REPO: string;
export declare function compiledDir(env?: NodeJS.ProcessEnv): string;
export declare function compiledEntry(name: 'cli' | 'trainer', env?: NodeJS.ProcessEnv): { file: string } | { file: null; why: string };
