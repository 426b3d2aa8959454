import { chmod, mkdtemp, readdir, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatBytes, makeDirectory, readTextFile, readTextFileSync, writeFileAtomically } from '../../core/files.js';

describe('readTextFile', () => {
  it('reads a file within the limit, and refuses a larger one by its size without reading it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-files-'));
    await writeFile(join(dir, 'small'), 'hello');
    expect(await readTextFile(join(dir, 'small'), 5)).toEqual({ text: 'hello' });
    expect(readTextFileSync(join(dir, 'small'), 4)).toEqual({ problem: 'is 5 bytes; the limit is 4 bytes' });
    // 2 GiB on paper, nothing on disk: refused by stat() alone.
    await writeFile(join(dir, 'sparse'), '');
    await truncate(join(dir, 'sparse'), 2 * 1024 ** 3);
    expect(await readTextFile(join(dir, 'sparse'), 1024 ** 2)).toEqual({ problem: 'is 2147483648 bytes; the limit is 1 MiB (1048576 bytes)' });
  });

  it('names what is wrong: missing, a directory, a device', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-files-'));
    expect((await readTextFile(join(dir, 'none'), 10)).problem).toMatch(/^does not exist .*\(ENOENT\)$/);
    expect((await readTextFile(dir, 10)).problem).toBe('is a directory; give the path of a file');
    expect((await readTextFile('/dev/zero', 10)).problem).toMatch(/^is not a regular file/);
    expect(readTextFileSync('/dev/null', 10).problem).toMatch(/^is not a regular file/);
  });

  it('formats limits as people and ls -l say them', () => {
    expect(formatBytes(1024 ** 2)).toBe('1 MiB (1048576 bytes)');
    expect(formatBytes(64 * 1024)).toBe('64 KiB (65536 bytes)');
    expect(formatBytes(1000)).toBe('1000 bytes');
  });
});

describe('writeFileAtomically', () => {
  it('writes a secret 0600 over an existing 0644 file, and leaves no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-files-'));
    const key = join(dir, 'key.pem');
    await writeFile(key, 'old', { mode: 0o644 });
    await chmod(key, 0o644);
    await writeFileAtomically(key, 'secret', 0o600);
    expect((await stat(key)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['key.pem']);
  });

  it('replaces a symbolic link planted at the name instead of writing through it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-files-'));
    await writeFile(join(dir, 'elsewhere'), 'untouched');
    await symlink(join(dir, 'elsewhere'), join(dir, 'key.pem'));
    await writeFileAtomically(join(dir, 'key.pem'), 'secret', 0o600);
    expect((await readTextFile(join(dir, 'elsewhere'), 100)).text).toBe('untouched');
    expect((await readTextFile(join(dir, 'key.pem'), 100)).text).toBe('secret');
  });

  it('throws the system error (for the caller to name the flag) and cleans up', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-files-'));
    await expect(writeFileAtomically(join(dir, 'missing', 'x'), 'data')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(writeFileAtomically(dir, 'data')).rejects.toMatchObject({ code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/) });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('makeDirectory', () => {
  it('creates the missing parents with the mode given, and is happy when it exists', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-files-'));
    await makeDirectory(join(dir, 'a', 'b', 'c'), 0o700);
    expect((await stat(join(dir, 'a', 'b', 'c'))).isDirectory()).toBe(true);
    expect((await stat(join(dir, 'a'))).mode & 0o777).toBe(0o700);
    await makeDirectory(join(dir, 'a', 'b'));
  });

  it("fails where a parent is a file, and ends (no spin) where the parent cannot hold children: procfs's ENOENT", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-files-'));
    await writeFile(join(dir, 'file'), '');
    await expect(makeDirectory(join(dir, 'file', 'x'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(makeDirectory(join(dir, 'file'))).rejects.toMatchObject({ code: 'EEXIST' });
    // Node's mkdir(…, { recursive: true }) never settles here (it retries the parent forever).
    if (process.platform === 'linux') await expect(makeDirectory('/proc/pushsim-not-here/out')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
