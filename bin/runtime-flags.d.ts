// Types of bin/runtime-flags.js (plain JavaScript, run by node before tsx is loaded) for the TypeScript that imports it.
export declare const DEFAULT_RUNTIME_FLAGS: string[];
export declare const SERVER_COMMANDS: string[];
export declare function runtimeFlags(env?: NodeJS.ProcessEnv, execArgv?: string[]): string[];
