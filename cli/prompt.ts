import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/**
 * Line prompts on stderr (stdout stays for results). Piped answers work too: lines are read through one
 * iterator, which buffers lines that arrive before their question is asked.
 */
export const openPrompts = () => {
  let echo = true;
  const output = new Writable({
    write: (chunk, _encoding, done) => {
      if (echo) process.stderr.write(chunk);
      done();
    },
  });
  const terminal = Boolean(process.stdin.isTTY);
  const readline = createInterface({ input: process.stdin, output, terminal });
  const lines = readline[Symbol.asyncIterator]();
  const ask = async (question: string, options: { secret?: boolean } = {}) => {
    process.stderr.write(question);
    echo = !options.secret;
    const line = await lines.next();
    echo = true;
    if (options.secret && terminal) process.stderr.write('\n');
    return line.done ? '' : String(line.value).trim();
  };
  return { ask, close: () => readline.close() };
};
