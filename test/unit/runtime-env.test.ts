import { describe, expect, test } from 'bun:test';
import { parseCommand } from '../../src/command-line.ts';
import { extractConfigFlags } from '../../src/config.ts';
import { restartArgv, restartEnv, RUNTIME_DEFAULTS } from '../../src/runtime-env.ts';

describe('runtime settings given by restarting', () => {
  test('missing settings are added to the whole environment; nothing else changes', () => {
    expect(restartEnv({ PATH: '/usr/bin', PORT: '8080', EMPTY: '', GONE: undefined })).toEqual({
      PATH: '/usr/bin',
      PORT: '8080',
      EMPTY: '',
      BUN_JSC_forceRAMSize: '134217728',
    });
  });

  test("no restart once they are set, whether by the restart or by the operator (whose value is kept, 0 included)", () => {
    expect(restartEnv({ PATH: '/usr/bin', ...RUNTIME_DEFAULTS })).toBeNull();
    expect(restartEnv({ BUN_JSC_forceRAMSize: '0' })).toBeNull();
  });

  test('no restart for a process handed descriptors beyond stdio (an IPC channel, systemd sockets): execve would close them', () => {
    expect(restartEnv({ PATH: '/usr/bin', NODE_CHANNEL_FD: '3' })).toBeNull();
    expect(restartEnv({ PATH: '/usr/bin', LISTEN_FDS: '1', LISTEN_PID: '42' })).toBeNull();
  });

  test('only the server restarts: a one-shot command runs on the runtime it was started with', () => {
    const env = { PATH: '/usr/bin' };
    for (const serving of [[], ['serve']]) expect(restartEnv(env, serving)).not.toBeNull();
    for (const command of [['healthcheck'], ['user', 'list'], ['backup', '/tmp/b.db'], ['serve', '--help'], ['-h'], ['help']]) {
      expect(restartEnv(env, command)).toBeNull();
    }
  });

  test('the restart decision agrees with the command line parser on what runs the server', () => {
    const lines = [[], ['serve'], ['--port', '9000'], ['--port', '9000', 'serve'], ['--data-dir=/srv', 'healthcheck'], ['--DATA_DIR', '/srv', 'backup', 'b.db'],
      ['serve', '--help'], ['-h'], ['help'], ['user', 'list'], ['plan', 'list'], ['key', 'list', 'a@example.com']];
    for (const argv of lines) {
      const { rest } = extractConfigFlags(argv);
      let serves: boolean;
      try {
        serves = parseCommand(rest).name === 'serve';
      } catch {
        continue; // a usage error: the process exits either way
      }
      expect({ argv, restarts: restartEnv({ PATH: '/usr/bin' }, rest) !== null }).toEqual({ argv, restarts: serves });
    }
  });

  test('the compiled binary restarts as itself with its arguments; from source, bun with its flags and the script', () => {
    expect(restartArgv({ execPath: '/srv/shrinkray', execArgv: [], argv: ['bun', '/$bunfs/root/shrinkray', 'serve', '--port', '9000'] })).toEqual([
      '/srv/shrinkray',
      'serve',
      '--port',
      '9000',
    ]);
    expect(restartArgv({ execPath: '/usr/bin/bun', execArgv: ['--smol'], argv: ['/usr/bin/bun', '/app/src/main.ts', 'user', 'list'] })).toEqual([
      '/usr/bin/bun',
      '--smol',
      '/app/src/main.ts',
      'user',
      'list',
    ]);
  });
});
