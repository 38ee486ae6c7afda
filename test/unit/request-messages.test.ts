import { describe, expect, it } from 'vitest';
import { CreateReleaseRequest } from '../../shared/api/releases';
import { parseInput } from '../../shared/http/request';
import { refusalOf } from '../support/fixtures';

describe('refusals of a request zod checks', () => {
  it("quote zod's own messages in English, not its bare 'Invalid input'", () => {
    const wrongType = refusalOf(() => parseInput(CreateReleaseRequest(), { slug: 7 }, 'body'));
    expect(wrongType.code).toBe('validation_failed');
    expect(wrongType.message).toBe('Invalid body.slug: Invalid input: expected string, received number');
    const unknownField = refusalOf(() => parseInput(CreateReleaseRequest(), { slug_id: 'x' }, 'body'));
    expect(unknownField.message).toBe('Invalid body: Unrecognized key: "slug_id"');
  });
});
