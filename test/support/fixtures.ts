import { DomainError } from '../../shared/domain/errors';

/** The DomainError `run` refuses with; fails the test if it throws nothing or something else. */
export const refusalOf = (run: () => unknown): DomainError => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
};
