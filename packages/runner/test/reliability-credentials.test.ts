import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileCredentialStore } from '../src/store/credential-file.js';
import { eventually, tempDir } from './support/runner-harness.js';

/**
 * Issue 11 item 7: a SIGKILL during a credential refresh once left the only valid token in a temporary file. A real
 * process writes the temporary file the way `FileCredentialStore.set` does (fsynced) and is SIGKILLed before its
 * rename; the next open must take that token, and must ignore (delete) a temporary cut short mid-write.
 */

/** A child that writes `content` to `path` (fsynced), waits, and is SIGKILLed: its pid is then one that is gone. */
async function killedWriter(path: string, content: string): Promise<number> {
  const script = `require('node:fs').writeFileSync(${JSON.stringify(path)}, ${JSON.stringify(content)}, { mode: 0o600, flush: true }); process.stdout.write('written'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await eventually('the writer to write its temporary file', () => (out === 'written' ? true : undefined), 10_000);
  child.kill('SIGKILL');
  await new Promise((done) => child.once('exit', done));
  return child.pid as number;
}

describe('reliability: credential files survive a SIGKILL mid-write', () => {
  it('a temporary cut short by the kill is ignored and deleted: the file keeps its values', async () => {
    const { dir, cleanup } = tempDir('ll-rel-cred-');
    const file = join(dir, 'credentials', 'acme.json');
    mkdirSync(join(dir, 'credentials'));
    writeFileSync(file, JSON.stringify({ refreshToken: 'current' }), { mode: 0o600 });
    const pid = await killedWriter(join(dir, 'credentials', 'placeholder'), 'x');
    const temporary = `${file}.${pid}.tmp`;
    // What a kill in the middle of writeFileSync leaves: the start of the JSON.
    writeFileSync(temporary, '{\n  "refreshToken": "new-tok', { mode: 0o600 });
    const store = new FileCredentialStore(file);
    expect(store.get('refreshToken')).toBe('current');
    expect(existsSync(temporary)).toBe(false);
    cleanup();
  });

  it("a real writer killed between write and rename: its temporary is taken at the next open; a live writer's is left alone", async () => {
    const { dir, cleanup } = tempDir('ll-rel-cred-');
    const credentials = join(dir, 'credentials');
    mkdirSync(credentials);
    const file = join(credentials, 'hub.json');
    writeFileSync(file, JSON.stringify({ refreshToken: 'before' }), { mode: 0o600 });
    await new Promise((done) => setTimeout(done, 20));
    // The child names its temporary by its own pid, as the store does, then dies before renaming it.
    const script = `const fs = require('node:fs'); fs.writeFileSync(${JSON.stringify(file)} + '.' + process.pid + '.tmp', JSON.stringify({ refreshToken: 'rotated' }), { mode: 0o600, flush: true }); process.stdout.write('written'); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await eventually('the writer to write', () => (out === 'written' ? true : undefined), 10_000);
    // While it lives, its temporary is its own business.
    expect(new FileCredentialStore(file).get('refreshToken')).toBe('before');
    expect(readdirSync(credentials)).toContain(`hub.json.${child.pid}.tmp`);
    child.kill('SIGKILL');
    await new Promise((done) => child.once('exit', done));
    expect(new FileCredentialStore(file).get('refreshToken')).toBe('rotated');
    expect(readdirSync(credentials)).toEqual(['hub.json']);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ refreshToken: 'rotated' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    cleanup();
  });
});
