/**
 * An item's size as DynamoDB counts it against its 400 KB limit: every attribute name plus its value,
 * strings in UTF-8 bytes, numbers by their digits, and 3 bytes (plus 1 per element) for each map or list.
 * Counted on the generous side where the documentation leaves room.
 */
export const DYNAMODB_ITEM_LIMIT = 400 * 1024;

const utf8 = (value: string) => Buffer.byteLength(value, 'utf8');

const valueSize = (value: unknown): number => {
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace('.', '').length / 2) + 1;
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (Array.isArray(value)) return 3 + value.reduce<number>((sum, element) => sum + 1 + valueSize(element), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value).reduce((sum, [name, element]) => sum + 1 + utf8(name) + valueSize(element), 0);
  }
  throw new TypeError(`no DynamoDB size for ${typeof value}`);
};

export const itemSize = (item: Record<string, unknown>): number =>
  Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);
