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
const ASE = 'ase.maeland@example.no';
const OYSTEIN = 'oystein.lovas@example.no';
const KARE = 'kare.saether@example.no';

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
      drift: {
        [SOREN]: { jobTitle: 'Gammel tittel' },
        [BJORN]: { department: 'Gammel avdeling' },
        // Differs from HR ("Prosjektleder") only by a trailing space and a tab.
        [ASE]: { jobTitle: 'Prosjektleder \t' },
      },
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
    await expect(page.locator('tr[data-check="Database"]').innerText()).resolves.toMatch(
      /^Database\s+✓ OK\s+state database reachable$/,
    );
    // Counts in the plan vocabulary.
    const labels = await page.locator('#drift-summary dt').allInnerTexts();
    expect(labels).toEqual([
      'Employees',
      'With changes',
      'In sync',
      'Changes',
      'Profile updates',
      'Photos',
      'Signatures',
      'Warnings',
    ]);
    await expect(page.locator('#last-run').innerText()).resolves.toContain('No apply yet.');
    await shot('overview');
  });

  it('draws the whitespace of a value that differs from HR only in whitespace', async () => {
    await page.goto(`${dw.server.url}/employees/${encodeURIComponent(ASE)}`);
    const row = page.locator('#fields tbody tr', { hasText: 'jobTitle' });
    await expect(row.getAttribute('class')).resolves.toBe('whitespace-only');
    await expect(row.locator('td').allInnerTexts()).resolves.toEqual([
      'Prosjektleder·→',
      'Prosjektleder',
      '● Differs in whitespace only',
    ]);
    await expect(
      row
        .locator('td')
        .first()
        .locator('.ws')
        .evaluateAll((els) => els.map((e) => e.getAttribute('title'))),
    ).resolves.toEqual(['space', 'tab']);
    // A difference in more than whitespace is shown as it is.
    await page.goto(`${dw.server.url}/employees/${encodeURIComponent(BJORN)}`);
    await expect(page.locator('#fields .ws').count()).resolves.toBe(0);
  });

  it('fits a 375 px wide screen without sideways scrolling, pages and employee alike', async () => {
    const narrow = await context.newPage();
    try {
      await narrow.setViewportSize({ width: 375, height: 740 });
      for (const path of [
        '/',
        `/employees/${encodeURIComponent(SOREN)}`,
        `/employees/${encodeURIComponent(ASE)}`,
      ]) {
        await narrow.goto(`${dw.server.url}${path}`);
        const widths = await narrow.evaluate<[number, number]>(
          '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
        );
        expect(widths[0], path).toBeLessThanOrEqual(widths[1]);
        expect(widths[1], path).toBe(375);
      }
      // Still usable by keyboard there: the skip link, then the token field.
      await narrow.keyboard.press('Tab');
      await expect(narrow.evaluate<string>('document.activeElement.textContent.trim()')).resolves.toBe(
        'Skip to main content',
      );
      // The header's links (Roster, Campaigns), then the token field.
      for (const link of ['Roster', 'Campaigns']) {
        await narrow.keyboard.press('Tab');
        await expect(narrow.evaluate<string>('document.activeElement.textContent.trim()')).resolves.toBe(
          link,
        );
      }
      await narrow.keyboard.press('Tab');
      await expect(narrow.evaluate<string>('document.activeElement.id')).resolves.toBe('api-token');
      await narrow.screenshot({ path: `${ARTIFACTS}dashboard-375.png`, fullPage: true });
    } finally {
      await narrow.close();
    }
  });

  it('lists a drifted employee in the table and filters by office and search', async () => {
    await page.goto(dw.server.url);
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
    const notice = page.locator('#notices .notice-error .notice-text');
    await expect(notice.innerText()).resolves.toBe(
      '✗ Refused: bearer token required. Enter a valid API token above.',
    );
    expect(dw.world.sim.stateSnapshot()).toEqual(before);
    expect(userOf(SOREN).jobTitle).toBe('Gammel tittel');
    // A toast: in view however far the page is scrolled, announced (role alert), kept until dismissed.
    await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
    const toast = page.locator('#notices .notice-error');
    await expect(toast.getAttribute('role')).resolves.toBe('alert');
    await expect(page.locator('#notices').getAttribute('aria-live')).resolves.toBe('polite');
    const box = (await toast.boundingBox())!;
    const viewport = page.viewportSize()!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
    await page.waitForTimeout(1_500);
    await expect(toast.count()).resolves.toBe(1);
    await shot('refused');
    // A new action clears it: the same refusal again is one toast, not two.
    await page.click('button[data-action="apply-one"]');
    await expect.poll(() => page.locator('#notices .notice').count()).toBe(1);
    await page.locator('#notices button', { hasText: 'Dismiss' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.locator('#notices .notice').count()).resolves.toBe(0);
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
    const notice = page.locator('#notices .notice-success .notice-text');
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

  it('reads one employee back from Microsoft now, with the token: current signature against desired', async () => {
    // Changed in the tenant after the last plan: only a read now can show it.
    dw.world.sim.patchMailbox(OYSTEIN, {
      SignatureText: 'Gammel signatur\nOslo',
      SignatureHtml: '<p>Gammel signatur</p>',
    });
    await page.goto(`${dw.server.url}/employees/${encodeURIComponent(OYSTEIN)}`);
    await expect(page.locator('#read-back').isHidden()).resolves.toBe(true);
    await page.click('button[data-action="read-back"]');
    const section = page.locator('#read-back');
    await expect(section.locator('#read-back-current-text').innerText()).resolves.toBe(
      'Gammel signatur\nOslo',
    );
    await expect(section.locator('#read-back-desired-text').innerText()).resolves.toContain('Øystein Løvås');
    const diff = await section.locator('#read-back-text-diff').innerText();
    expect(diff).toMatch(/^-Gammel signatur$/m);
    expect(diff).toMatch(/^\+.*Øystein Løvås/m);
    await expect(section.locator('#read-back-photo-current').innerText()).resolves.toMatch(/^Current: /);
    await expect(page.locator('#notices .notice-success .notice-text').innerText()).resolves.toMatch(
      /^✓ Read back from Microsoft at /,
    );
    await shot('read-back');
    // Without the token it is refused before anything is read.
    const refused = await page.evaluate<number>(
      `fetch('/employees/${encodeURIComponent(OYSTEIN)}/read-back', { method: 'POST' }).then((r) => r.status)`,
    );
    expect(refused).toBe(401);
  });

  it('keeps the overview live: an apply elsewhere shows without a reload, as the apply (not the plan after it)', async () => {
    await page.goto(dw.server.url);
    await expect
      .poll(() => page.evaluate<string | null>('document.body.getAttribute("data-live")'))
      .toBe('connected');
    const before = Number(await page.locator('#drift-drifted').textContent());
    const kareRow = page.locator('#employees tbody tr', { hasText: KARE });
    expect(await kareRow.textContent()).toContain('Drift');
    await page.evaluate('window.liveMarker = 1');
    await dw.source.applyEmployees([KARE], () => undefined);
    await expect
      .poll(() => page.locator('#drift-drifted').textContent(), { timeout: 10_000 })
      .not.toBe(String(before));
    expect(Number(await page.locator('#drift-drifted').textContent())).toBe(before - 1);
    // The table follows the newer plan too.
    await expect.poll(() => kareRow.textContent(), { timeout: 10_000 }).toContain('In sync');
    // The same page, not a reload.
    await expect(page.evaluate('window.liveMarker')).resolves.toBe(1);
    const last = await page.locator('#last-run').innerText();
    expect(last).toMatch(/Last apply\s+Kind\s+apply/);
    expect(last).toMatch(/Planned\s+0 changes: 0 profile updates, 0 photos, 0 signatures/);
    expect(last).toContain('Latest plan: succeeded');
  });

  it('GET /events passes the Host and Origin check of the status server', async () => {
    const url = new URL(dw.server.url);
    const cross = await fetch(`${dw.server.url}/events`, { headers: { origin: 'https://attacker.example' } });
    expect(cross.status).toBe(403);
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: '/events',
          headers: { host: `attacker.example:${url.port}` },
          setHost: false,
        },
        (res) => {
          resolve(res.statusCode ?? 0);
          res.destroy();
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
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
    await expect(page.locator('#notices .notice-success .notice-text').innerText()).resolves.toBe(
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
