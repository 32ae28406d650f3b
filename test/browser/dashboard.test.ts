import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_TOKEN, startDashboardWorld, type DashboardWorld } from './dashboard-world.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
// Skipped only on a developer machine without the browser; in CI a missing browser fails.
const skip = !existsSync(CHROMIUM) && !process.env.CI;

const SOREN = 'soren.aero@example.no';
const BJORN = 'bjorn.okland@example.no';

let dw: DashboardWorld;
let browser: Browser;
let context: BrowserContext;
let page: Page;

function userOf(upn: string) {
  return dw.world.sim.stateSnapshot().users.find((u) => u.userPrincipalName === upn)!;
}

function signatureTextOf(upn: string): unknown {
  const snapshot = dw.world.sim.stateSnapshot();
  return snapshot.mailboxConfig[userOf(upn).id]?.SignatureText;
}

async function shot(name: string) {
  await page.screenshot({ path: `${ARTIFACTS}dashboard-${name}.png`, fullPage: true });
}

describe.skipIf(skip)('dashboard in a real Chromium', () => {
  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    dw = await startDashboardWorld({
      drift: { [SOREN]: { jobTitle: 'Gammel tittel' }, [BJORN]: { department: 'Gammel avdeling' } },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      chromiumSandbox: false,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      ],
    });
    context = await browser.newContext();
    // Loopback only: the signature's logo and any photo URL must never leave the machine.
    await context.route('**/*', (route) =>
      new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort(),
    );
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await dw?.[Symbol.asyncDispose]();
  });

  it('loads the overview with the connection checks and the drift count', async () => {
    const drifted = dw.source.view().rows.filter((r) => r.status === 'drift').length;
    expect(drifted).toBeGreaterThan(1);
    await page.goto(dw.server.url);
    await expect(page.title()).resolves.toBe('Directory status · Roster');
    expect(await page.locator('#drift-drifted').textContent()).toBe(String(drifted));
    expect(await page.locator('#drift-employees').textContent()).toBe(String(dw.source.view().rows.length));
    const checks = await page.locator('section[aria-labelledby="connection-h"] tbody').innerText();
    expect(checks).toContain('Microsoft Graph');
    expect(checks).toContain('Postponed: signatures show in Outlook');
    await shot('overview');
  });

  it('lists a drifted employee in the table and filters by office and search', async () => {
    const row = page.locator('#employees tbody tr', { hasText: SOREN });
    await expect(row.innerText()).resolves.toMatch(/Drift: profile, signature/);
    await page.selectOption('#f-office', 'Bergen Bryggen');
    await page.click('form.filters button[type="submit"]');
    const emails = await page.locator('#employees tbody th a').allInnerTexts();
    expect(emails).toContain(BJORN);
    expect(emails).not.toContain(SOREN);
    expect(page.url()).toContain('office=Bergen+Bryggen');
  });

  it('shows current against desired field by field and renders the signature preview in its sandbox', async () => {
    await page.goto(`${dw.server.url}/employees/${encodeURIComponent(SOREN)}`);
    const title = page.locator('#fields tbody tr', { hasText: 'jobTitle' });
    await expect(title.locator('td').allInnerTexts()).resolves.toEqual([
      'Gammel tittel',
      'Kontorsjef Oslo',
      '● Differs',
    ]);
    const frame = page.frameLocator('iframe.preview');
    await expect(frame.locator('body').innerText({ timeout: 10_000 })).resolves.toContain('Søren Ærø');
    await expect(page.locator('iframe.preview').getAttribute('sandbox')).resolves.toBe('');
    await expect(page.locator('#signature-text').innerText()).resolves.toContain('Søren Ærø');
    await page.locator('iframe.preview').screenshot({ path: `${ARTIFACTS}dashboard-signature-preview.png` });
    await shot('employee');
  });

  it('reaches the apply button by keyboard', async () => {
    await page.goto(`${dw.server.url}/employees/${encodeURIComponent(SOREN)}`);
    await page.keyboard.press('Tab');
    await expect(
      page.evaluate<string | null>('document.activeElement?.textContent?.trim() ?? null'),
    ).resolves.toBe('Skip to main content');
    let label: string | null | undefined;
    for (let i = 0; i < 20 && label !== 'Apply for this employee'; i++) {
      await page.keyboard.press('Tab');
      label = await page.evaluate<string | null>('document.activeElement?.textContent?.trim() ?? null');
    }
    expect(label).toBe('Apply for this employee');
  });

  it('refuses an apply without the token and leaves the tenant alone', async () => {
    const before = dw.world.sim.stateSnapshot();
    await page.click('button[data-action="apply-one"]');
    const notice = page.locator('#notices .notice-error');
    await expect(notice.innerText()).resolves.toBe(
      '✗ Refused: bearer token required. Enter a valid API token above.',
    );
    expect(dw.world.sim.stateSnapshot()).toEqual(before);
    expect(userOf(SOREN).jobTitle).toBe('Gammel tittel');
    await shot('refused');
  });

  it('applies one employee with the token (kept in session storage, not in the URL or a cookie)', async () => {
    await page.fill('#api-token', DASHBOARD_TOKEN);
    await page.click('#token-form button[type="submit"]');
    await expect(page.locator('#token-state').innerText()).resolves.toBe('Token set for this tab');
    await expect(page.locator('#api-token').inputValue()).resolves.toBe('');
    expect(await page.evaluate<string>('document.cookie')).toBe('');
    expect(await page.evaluate<string | null>("sessionStorage.getItem('roster.apiToken')")).toBe(
      DASHBOARD_TOKEN,
    );

    await page.click('button[data-action="apply-one"]');
    const notice = page.locator('#notices .notice-success');
    await expect(notice.innerText()).resolves.toBe(
      '✓ Done: 1 of 1 employees applied. Reload to see the new state.',
    );
    expect(userOf(SOREN).jobTitle).toBe('Kontorsjef Oslo');
    expect(signatureTextOf(SOREN)).toContain('Søren Ærø');
    expect(page.url()).not.toContain(DASHBOARD_TOKEN);
    await page.reload();
    await expect(page.locator('#pending-actions').count()).resolves.toBe(0);
    await shot('applied-one');
  });

  it('applies a selection in a batch with live progress to 100 %', async () => {
    await page.goto(`${dw.server.url}/?status=drift`);
    const boxes = page.locator('#employees tbody input[name="select"]');
    const emails = (
      await boxes.evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value))
    ).slice(0, 3);
    expect(emails).toHaveLength(3);
    expect(emails).toContain(BJORN);
    for (const email of emails) await page.check(`#employees input[value="${email}"]`);
    await page.click('button[data-action="apply-selected"]');
    await expect(page.locator('#notices .notice-success').innerText()).resolves.toBe(
      '✓ Done: 3 of 3 employees applied. Reload to see the new state.',
    );
    const bar = page.locator('#apply-progress');
    await expect(
      bar.evaluate((p) => [(p as unknown as { value: number }).value, (p as unknown as { max: number }).max]),
    ).resolves.toEqual([3, 3]);
    await expect(page.locator('#progress-text').innerText()).resolves.toMatch(/^3 of 3 employees \(100 %\)/);
    expect(dw.source.progress.slice(-3).map((p) => `${p.done}/${p.total} ${p.email} ${p.outcome}`)).toEqual(
      emails.map((e, i) => `${i + 1}/3 ${e} applied`),
    );
    expect(userOf(BJORN).department).toBe('Bergen Bryggen');
    for (const email of emails) expect(signatureTextOf(email)).toEqual(expect.any(String));
    await shot('batch');
  });
});
