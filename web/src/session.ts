/** The API key lives for this tab's session only: never localStorage, never a cookie or a URL. */
const STORAGE_KEY = 'slipway.apiKey';

export const storedKey = (): string | null => sessionStorage.getItem(STORAGE_KEY);
export const storeKey = (key: string): void => sessionStorage.setItem(STORAGE_KEY, key);
export const forgetKey = (): void => sessionStorage.removeItem(STORAGE_KEY);
