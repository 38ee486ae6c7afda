import { validate } from 'uuid';

/** Whether a path reference is an id (a UUID) rather than a name: names may never look like one. */
export const isId = (reference: string): boolean => validate(reference);
