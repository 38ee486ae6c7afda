import { vi } from 'vitest';
import { logger } from '../../shared/observability/logger';

/** Everything written to stdout and stderr while `work` runs, with the logger at `level` (SILENT again after). */
export const capturedOutput = async (level: 'DEBUG' | 'INFO', work: () => Promise<void>): Promise<string> => {
  const chunks: string[] = [];
  const capture = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  logger.setLogLevel(level);
  try {
    await work();
  } finally {
    logger.setLogLevel('SILENT');
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return chunks.join('');
};
