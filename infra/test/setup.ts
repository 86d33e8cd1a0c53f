import { Testing } from 'cdktf';
import { expect } from 'vitest';

// cdktf's matchers extend a Jest-style global `expect`; vitest's speaks the same protocol.
(globalThis as { expect?: unknown }).expect = expect;
Testing.setupJest();
