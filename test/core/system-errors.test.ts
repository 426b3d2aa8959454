import { describe, expect, it } from 'vitest';
import { describeListenError, describeSystemError, listenFailure, pathFailure } from '../../core/system-errors.js';
import type { SystemError } from '../../core/system-errors.js';

const systemError = (code: string, syscall: string, extra: Partial<SystemError> = {}): SystemError => Object.assign(new Error(`${syscall} ${code}`), { code, syscall, ...extra }) as SystemError;

describe('system errors in words', () => {
  it('names the port, the address and the flag for each listen failure', () => {
    const flags = { host: '127.0.0.1', port: 8443 };
    expect(describeListenError(systemError('EADDRINUSE', 'listen'), flags)).toBe('port 8443 on 127.0.0.1 is in use; choose another with --port (0 picks a free one), or stop what listens there');
    expect(describeListenError(systemError('EACCES', 'listen'), { host: '0.0.0.0', port: 443, portFlag: '--listen' })).toBe('port 443 on 0.0.0.0 needs privileges (ports below 1024 do); choose a port ≥ 1024 with --listen');
    expect(describeListenError(systemError('EADDRNOTAVAIL', 'listen'), { host: '192.0.2.1', port: 0, hostFlag: '--control-host' })).toMatch(/^192\.0\.2\.1 is not an address of this machine \(--control-host\)/);
    expect(describeListenError(systemError('ENOTFOUND', 'getaddrinfo'), { host: 'nope.invalid', port: 0 })).toMatch(/nope\.invalid \(--host\) is not a host name this machine can resolve/);
    expect(describeListenError(systemError('ECONNRESET', 'read'), flags)).toBeUndefined();
  });

  it('listenFailure picks the flag by the port the error names, and leaves other errors alone', () => {
    const candidates = [
      { host: '127.0.0.1', port: 0 },
      { host: '127.0.0.1', port: 9400, hostFlag: '--control-host', portFlag: '--control-port' },
    ];
    const control = listenFailure(systemError('EADDRINUSE', 'listen', { address: '127.0.0.1', port: 9400 }), candidates);
    expect(control).toMatchObject({ code: 'PUSHSIM_ERR_INVALID_ARGUMENT', message: expect.stringContaining('with --control-port') });
    const bug = new TypeError('x is undefined');
    expect(listenFailure(bug, candidates)).toBe(bug);
  });

  it('names the flag and the path of a file-system failure, and describes any other in words', () => {
    expect(pathFailure(systemError('EISDIR', 'open', { path: '/tmp' }), '--out')).toMatchObject({ message: '--out /tmp is a directory; give a file path (EISDIR)' });
    expect(describeSystemError(systemError('ENOENT', 'open', { path: '/no/such' }))).toBe('/no/such does not exist (check the path, or create its directory first) (ENOENT)');
    expect(describeSystemError(systemError('EROFS', 'mkdir', { path: '/ro' }))).toBe('/ro is on a read-only file system (EROFS)');
    expect(describeSystemError(systemError('EADDRINUSE', 'listen', { address: '::1', port: 80 }))).toMatch(/^port 80 on ::1 is in use/);
  });
});
