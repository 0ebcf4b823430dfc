/**
 * Removes the temporary folders a test file made with `tempDir` when the file is done: vitest
 * ends its worker processes without running their `exit` handlers, so thousands of folders were
 * left under the system temp folder after a full run.
 */
import { afterAll } from 'vitest';
import { removeTempDirs } from '../helpers/temp.js';

afterAll(() => removeTempDirs());
