/** Types of build.mjs (plain JavaScript, so that node runs it before anything is compiled). `root`: the project, this one unless given. */
export declare const DIST: string;
/** Whether dist/ holds a build of today's sources. */
export declare function isFresh(root?: string): Promise<boolean>;
/** Compiles src/ into dist/, unconditionally. */
export declare function build(root?: string): Promise<void>;
/** Builds dist/ unless it is fresh (once between processes that start together); whether it built. */
export declare function ensureBuilt(root?: string): Promise<boolean>;
