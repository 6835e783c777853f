#!/usr/bin/env node
// The `obsdeck` command from a clone (`npx obsdeck ...`): runs main/cli/main.ts through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../main/cli/main.ts');
