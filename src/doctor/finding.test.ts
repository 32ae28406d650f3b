import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACCESS_CHECKS, CHECKS, DEEP_CHECKS, finding, linkFor, SETUP_GUIDE } from './finding.js';
import { renderFindingsText } from './render-findings.js';

const guide = readFileSync(new URL(`../../${SETUP_GUIDE}`, import.meta.url), 'utf8');

describe('findings', () => {
  it('link every check to its own entry in the setup guide', () => {
    const anchors = new Set([...guide.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]));
    expect(CHECKS.filter((c) => !anchors.has(linkFor(c).split('#')[1]!))).toEqual([]);
    // …and the guide explains no check that does not exist.
    const documented = [...anchors].filter((a) => a?.startsWith('doctor-')).map((a) => a!.slice(7));
    expect(documented.sort()).toEqual([...CHECKS].sort());
  });

  it('the guide names the same access and deep checks as the code', () => {
    for (const check of [...ACCESS_CHECKS, ...DEEP_CHECKS]) expect(guide).toContain(`\`${check}\``);
  });

  it('keep the fix for warnings and errors only', () => {
    expect(finding('domains', 'ok', 'fine', 'nothing to do')).toEqual({
      check: 'domains',
      status: 'ok',
      message: 'fine',
      link: 'docs/azure-setup.md#doctor-domains',
    });
    expect(finding('domains', 'error', 'bad', 'fix it').fix).toBe('fix it');
  });

  it('render one line per check, the fix and the guide under warnings and errors', () => {
    const text = renderFindingsText(
      [
        finding('credential', 'ok', 'client secret'),
        finding('domains', 'error', 'example.com is not a domain of this tenant', 'fix scope.domains'),
        finding('exchange-role', 'skipped', 'signatures are off'),
        finding('hr-employees', 'warning', '2 errors', 'run roster validate'),
      ],
      'roster doctor: tenant t (t.onmicrosoft.com)',
    );
    expect(text).toMatchInlineSnapshot(`
      "roster doctor: tenant t (t.onmicrosoft.com)

      ✓ credential           client secret
      ✗ domains              example.com is not a domain of this tenant
                             fix: fix scope.domains
                             see: docs/azure-setup.md#doctor-domains
      - exchange-role        signatures are off
      ! hr-employees         2 errors
                             fix: run roster validate
                             see: docs/azure-setup.md#doctor-hr-employees

      1 ok, 1 warning, 1 error, 1 skipped
      "
    `);
  });
});
