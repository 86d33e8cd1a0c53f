import { Testing } from 'cdktf';
import { afterAll, expect } from 'vitest';
import { removeTemporaryDirectories } from './helpers.js';

// cdktf's matchers extend a Jest-style global `expect`; vitest's speaks the same protocol.
(globalThis as { expect?: unknown }).expect = expect;
Testing.setupJest();

afterAll(removeTemporaryDirectories);
