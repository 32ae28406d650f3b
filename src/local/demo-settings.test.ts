import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDesiredConfig } from '../config/load-desired-config.js';
import { writeDemoDesiredState } from './demo-settings.js';
import { buildDemoHrData, buildDemoTenant, DEMO_TENANT } from './demo-tenant.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const hr = buildDemoHrData({ photoBaseUrl: 'http://127.0.0.1:45678/photos' });

describe('writeDemoDesiredState', () => {
  it('writes a configuration folder the real loader accepts without a single problem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roster-demo-settings-test-'));
    dirs.push(dir);
    await writeDemoDesiredState(dir, { photoBaseUrl: 'http://127.0.0.1:45678/photos', hr });

    const { config, problems } = await loadDesiredConfig(dir, {});
    expect(problems).toEqual([]);
    const settings = config!.settings;
    expect(settings.tenant).toEqual({ id: DEMO_TENANT.tenantId, domain: 'example.onmicrosoft.com' });
    expect(settings.scope.domains).toEqual(['example.no']);
    expect(settings.photos).toMatchObject({
      enabled: true,
      allowedHosts: ['127.0.0.1'],
      allowPrivateAddresses: true,
    });
    expect(settings.guardrails.maxChanges).toEqual({ percent: 100 });
    expect(settings.signatures).toMatchObject({ enabled: true, defaultTemplate: 'default' });
    expect(settings.signatures.variables.companyName).toBe('Eksempel AS');
    expect([...config!.templates.keys()].sort()).toEqual(['compact', 'default']);
    expect(await readdir(join(dir, 'templates'))).toEqual(
      await readdir(new URL('../../templates/', import.meta.url)),
    );

    // The overrides name an employee Roster manages in the demo tenant and an existing office.
    const drift = buildDemoTenant(hr, { ...DEMO_TENANT, domains: [...DEMO_TENANT.domains] }).drift;
    const [employee, office] = config!.overrides;
    expect(employee?.target.kind).toBe('employee');
    const email = employee?.target.kind === 'employee' ? employee.target.email : '';
    expect(hr.employees.find((e) => e.email === email)?.status).toBe('active');
    expect(email).not.toBe(drift.unmatchedEmployee);
    expect(office?.target).toEqual({ kind: 'office', office: hr.offices[5]!.name });
    expect(office?.template).toBe('compact');
  });

  it('takes the tenant id from AZURE_TENANT_ID when set', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roster-demo-settings-test-'));
    dirs.push(dir);
    await writeDemoDesiredState(dir, { photoBaseUrl: 'http://localhost:1/photos', hr });
    const { config, problems } = await loadDesiredConfig(dir, {
      AZURE_TENANT_ID: '11111111-2222-4333-8444-555555555555',
    });
    expect(problems).toEqual([]);
    expect(config!.settings.tenant.id).toBe('11111111-2222-4333-8444-555555555555');
    expect(config!.settings.photos.allowedHosts).toEqual(['localhost']);
    const text = await readFile(join(dir, 'desired-state', 'roster.yaml'), 'utf8');
    expect(text).toContain('allowPrivateAddresses: true');
    expect(text).not.toContain(DEMO_TENANT.clientSecret);
  });
});
