import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROSTER_NODE_OPTIONS } from '../../src/cli/memory-profile.js';
import { execForm, parseDockerfile, splitFlags, type DockerStage } from './parse-dockerfile.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');
const dockerfile = parseDockerfile(read('Dockerfile'));
const packageJson = JSON.parse(read('package.json')) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
};
const buildConfig = JSON.parse(read('tsconfig.build.json')) as {
  extends?: string;
  include: string[];
  compilerOptions: { rootDir: string; outDir: string };
};

const buildStage = dockerfile.stages[0]!;
const runtime = dockerfile.stages.at(-1)!;
const all = (stage: DockerStage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
const last = (stage: DockerStage, keyword: string) => all(stage, keyword).at(-1)?.args;
const runCommands = (stage: DockerStage) => all(stage, 'RUN').flatMap((i) => i.args.split(/\s*&&\s*/));

describe('parseDockerfile', () => {
  it('joins continuations, skips comments inside them and resolves global ARGs in FROM', () => {
    const parsed = parseDockerfile(
      ['ARG BASE=node:20', 'FROM ${BASE} AS one', 'RUN a \\', '  # note', '  && b', 'FROM one'].join('\n'),
    );
    expect(parsed.stages.map((s) => [s.image, s.name])).toEqual([
      ['node:20', 'one'],
      ['one', undefined],
    ]);
    expect(parsed.stages[0]!.instructions).toEqual([{ keyword: 'RUN', args: 'a && b', line: 3 }]);
  });
});

describe('Dockerfile', () => {
  it('is multi-stage on a Debian node 20 image (sharp ships glibc binaries), the same base twice', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of dockerfile.stages) {
      expect(stage.image).toMatch(/^node:20(\.\d+)*-(bookworm|bullseye)(-slim)?$/);
    }
    expect(new Set(dockerfile.stages.map((s) => s.image)).size).toBe(1);
  });

  it('builds with exactly the install command CI runs, whose prepare script compiles the CLI', () => {
    const ciInstall = /^\s*(npm ci\b.*)$/m.exec(read('.ci/run'))?.[1]?.trim();
    expect(ciInstall).toBeDefined();
    const commands = runCommands(buildStage);
    expect(commands).toContain(ciInstall);
    // npm ci runs `prepare`; it must be the build, and the build must emit the binary the image runs.
    expect(packageJson.scripts.prepare).toBe('npm run build');
    // Compiled, then the command marked executable (tsc writes plain files; `npx roster` runs it).
    expect(packageJson.scripts.build).toBe(
      `tsc -p tsconfig.build.json && node -e "require('node:fs').chmodSync('dist/cli/main.js', 0o755)"`,
    );
    expect(buildConfig.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    expect(packageJson.bin.roster).toBe('dist/cli/main.js');
    expect(existsSync(`${root}src/cli/main.ts`)).toBe(true);
    // Dev dependencies go only after the build.
    const prune = commands.findIndex((c) => c.startsWith('npm prune --omit=dev'));
    expect(prune).toBeGreaterThan(commands.indexOf(ciInstall!));
  });

  it('copies into the build stage every file the install and the build read', () => {
    const copied = all(buildStage, 'COPY').flatMap((i) => splitFlags(i.args).rest.split(/\s+/).slice(0, -1));
    const needed = ['package.json', 'package-lock.json', 'tsconfig.build.json', ...buildConfig.include];
    if (buildConfig.extends) needed.push(buildConfig.extends.replace(/^\.\//, ''));
    for (const path of needed) expect(copied).toContain(path);
    for (const path of copied) expect(existsSync(`${root}${path}`), path).toBe(true);
  });

  it('never sends local state or secrets into the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const entry of [
      'node_modules',
      'dist',
      '.git',
      'test-artifacts',
      '.roster',
      'bench/results',
      '.env',
    ]) {
      expect(ignored).toContain(entry);
    }
  });

  it('ships dist, schemas, templates, production node_modules and package.json in the runtime stage', () => {
    const fromBuild = all(runtime, 'COPY')
      .map((i) => splitFlags(i.args))
      .filter(({ flags }) => flags.get('from') === buildStage.name)
      .map(({ rest }) => rest.split(/\s+/));
    const sources = fromBuild.map((parts) => parts[0]);
    for (const path of ['dist', 'schemas', 'templates', 'node_modules', 'package.json']) {
      expect(sources).toContain(`/app/${path}`);
    }
    // Default desired state in the working directory, replaceable by a volume at /config.
    const targets = fromBuild.map((parts) => parts.at(-1));
    expect(targets).toEqual(expect.arrayContaining(['/config/desired-state', '/config/templates']));
    expect(last(runtime, 'WORKDIR')).toBe('/config');
    expect(last(runtime, 'ENV')).toMatch(/^NODE_ENV=production$/);
  });

  it('runs as a non-root user, by number so Kubernetes can verify runAsNonRoot', () => {
    const user = last(runtime, 'USER');
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user!.split(':')[0])).toBeGreaterThan(0);
    // Nothing after USER may switch back.
    const index = runtime.instructions.findIndex((i) => i.keyword === 'USER');
    expect(runtime.instructions.slice(index + 1).some((i) => i.keyword === 'USER')).toBe(false);
  });

  it('starts `roster controller` on the exposed port, and its health check asks /healthz there', () => {
    // With the V8 options the `roster` command starts with.
    expect(execForm(last(runtime, 'ENTRYPOINT')!)).toEqual([
      'node',
      ...ROSTER_NODE_OPTIONS,
      `/app/${packageJson.bin.roster}`,
    ]);
    const cmd = execForm(last(runtime, 'CMD')!)!;
    expect(cmd[0]).toBe('controller');
    const port = cmd[cmd.indexOf('--port') + 1];
    expect(cmd[cmd.indexOf('--host') + 1]).toBe('0.0.0.0');
    expect(last(runtime, 'EXPOSE')).toBe(port);

    const { flags, rest } = splitFlags(last(runtime, 'HEALTHCHECK')!);
    expect([...flags.keys()].sort()).toEqual(['interval', 'retries', 'start-period', 'timeout']);
    expect(rest.startsWith('CMD ')).toBe(true);
    const probe = execForm(rest.slice(4))!;
    expect(probe.slice(0, 2)).toEqual(['node', '-e']);
    expect(probe[2]).toContain(`fetch('http://127.0.0.1:${port}/healthz')`);
  });

  it('has a health check script that exits 0 on a 2xx answer and 1 otherwise', async () => {
    const script = execForm(splitFlags(last(runtime, 'HEALTHCHECK')!).rest.slice(4))![2]!;
    expect(script).toContain(':8080/');
    const probe = (port: number) =>
      new Promise<number | null>((resolve) =>
        spawn(process.execPath, ['-e', script.replace(':8080/', `:${port}/`)]).on('exit', resolve),
      );
    for (const status of [200, 503]) {
      const server = createServer((req, res) => res.writeHead(req.url === '/healthz' ? status : 404).end());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const code = await probe(port);
      await new Promise((resolve) => server.close(resolve));
      expect(code, `status ${status}`).toBe(status === 200 ? 0 : 1);
      // The same port, now closed: a refused connection is unhealthy too.
      expect(await probe(port)).toBe(1);
    }
  });
});
