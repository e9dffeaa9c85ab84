import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * The built UI: a file under `root` for its path, index.html for any other path (the UI routes
 * in the browser). Paths that leave `root` are refused. Null when the UI is not built.
 */
export function staticFile(
  root: string,
  path: string,
): { body: Buffer; type: string; immutable: boolean } | null {
  const base = resolve(root);
  const index = join(base, 'index.html');
  if (!existsSync(index)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    decoded = '/'; // a malformed escape names no file: serve the UI
  }
  const wanted = resolve(base, `.${decoded}`);
  const inside = wanted === base || wanted.startsWith(base + sep);
  const file = inside && existsSync(wanted) && statSync(wanted).isFile() ? wanted : index;
  return {
    body: readFileSync(file),
    type: TYPES[extname(file)] ?? 'application/octet-stream',
    immutable: file !== index && file.includes(`${sep}assets${sep}`),
  };
}
