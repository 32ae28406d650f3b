import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors/roster-error.js';
import { describeError, wantsDetails } from './exit.js';

function bug(): Error {
  return new TypeError("Cannot read properties of undefined (reading 'id')");
}

describe('describeError', () => {
  it('says a bug is a bug in one line, with how to get the details, and no stack trace', () => {
    const text = describeError(bug());
    expect(text).toBe(
      "internal error (a bug in Roster): TypeError: Cannot read properties of undefined (reading 'id')\n" +
        '  run the command again with --log-level debug to see where it happened, and report it with that output',
    );
    expect(text).not.toMatch(/^\s+at /m);
  });

  it('prints the stack trace, causes included, only when details are asked for', () => {
    const error = new Error('outer', { cause: bug() });
    const text = describeError(error, { details: true });
    expect(text).toMatch(/^internal error \(a bug in Roster\): Error: outer\n\s+at /);
    expect(text).toMatch(/caused by: TypeError: Cannot read properties/);
  });

  it("keeps Roster's own messages as they are, and a refused system call is no bug", () => {
    expect(describeError(new UsageError('--port must be a port number, not x'))).toBe(
      '--port must be a port number, not x',
    );
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/nope/ca.pem'"), {
      code: 'ENOENT',
      syscall: 'open',
    });
    expect(describeError(enoent)).toBe("open failed: ENOENT: no such file or directory, open '/nope/ca.pem'");
  });

  it('details are asked for with debug or trace', () => {
    expect([undefined, 'warn', 'info', 'debug', 'trace'].map(wantsDetails)).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
  });
});
