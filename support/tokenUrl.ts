/** Waiting for the browser-mode URL (with its token) that `npm run web` / `npm start` print. */
import type { ChildProcess } from 'node:child_process';

export const TOKEN_URL = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/;

export interface TokenUrl {
  url: URL;
  /** Everything the child has printed so far (stdout and stderr), and keeps collecting. */
  output: () => string;
}

export function waitForTokenUrl(child: ChildProcess, timeoutMs = 60_000): Promise<TokenUrl> {
  let out = '';
  const output = () => out;
  return new Promise<TokenUrl>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no browser-mode URL printed in ${timeoutMs / 1000} s:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = TOKEN_URL.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: new URL(m[0]), output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing its URL:\n${out}`));
    });
  });
}
