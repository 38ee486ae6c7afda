import { gzipSync } from 'node:zlib';
import { buildDashboard } from '../web/build';

export type DashboardFigures = { jsBytes: number; jsGzipBytes: number; cssBytes: number; cssGzipBytes: number };

/** What a browser downloads for the dashboard, as built for `npm start` and the dashboard function alike. */
export const measureDashboard = (): DashboardFigures => {
  const files = [...buildDashboard()];
  const sizes = (extension: string) => {
    const texts = files.filter(([path]) => path.endsWith(extension)).map(([, text]) => text);
    return {
      bytes: texts.reduce((total, text) => total + Buffer.byteLength(text), 0),
      gzipBytes: texts.reduce((total, text) => total + gzipSync(text, { level: 9 }).byteLength, 0),
    };
  };
  const js = sizes('.js');
  const css = sizes('.css');
  return { jsBytes: js.bytes, jsGzipBytes: js.gzipBytes, cssBytes: css.bytes, cssGzipBytes: css.gzipBytes };
};
