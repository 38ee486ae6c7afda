import * as z from 'zod/mini';
import { HOOK_KINDS } from '../domain/hook-vocabulary';

/** A hook's kind, as its requests (hooks.ts) take it and its answers (hook-responses.ts) tell it. */
export const HookKindField = z.enum(HOOK_KINDS).check(z.meta({ description: 'webhook: the signed event envelope; the others speak a vendor API (see README).' }));
