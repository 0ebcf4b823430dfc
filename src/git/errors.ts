/**
 * The error of the Git adapter and of `--commit`/`--push`: `reason` names the fault so callers
 * (and tests) can tell a conflict from an unreachable remote without reading messages. Defined
 * with the other error classes in src/domain/errors.ts, which src/cli/errors.ts maps.
 */
export { GitError, type GitFailure } from '../domain/errors.js';
