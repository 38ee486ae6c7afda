/**
 * The locale the dashboard writes dates and numbers in: the first of the browser's languages that Intl supports,
 * else Intl's own default (`undefined`). A browser may name a language that Intl refuses outright: Chromium under
 * `LC_ALL=C` says `en-US@posix`, a POSIX locale name rather than a language tag, and every Intl constructor given
 * it throws a RangeError. A POSIX name is read as the tag it stands for (`en-US@posix` → `en-US`,
 * `de_DE.UTF-8` → `de-DE`) before it is tried.
 */
const asLanguageTag = (name: string): string => name.replace(/[.@].*$/, '').replaceAll('_', '-');

const supported = (tag: string): string | undefined => {
  try {
    const [dates] = Intl.DateTimeFormat.supportedLocalesOf(tag);
    const [numbers] = Intl.NumberFormat.supportedLocalesOf(tag);
    return dates && numbers ? dates : undefined;
  } catch {
    // Not a language tag even so.
    return undefined;
  }
};

export const LOCALE: string | undefined = [...navigator.languages, navigator.language]
  .map((name) => supported(asLanguageTag(name)))
  .find((tag) => tag !== undefined);

// uPlot makes its number format from navigator.language as it loads, and a RangeError there stops the whole page:
// it is given the locale found here instead (the chart imports this module before uPlot).
if (supported(navigator.language) === undefined) {
  Object.defineProperty(navigator, 'language', { value: LOCALE ?? new Intl.NumberFormat().resolvedOptions().locale, configurable: true });
}
