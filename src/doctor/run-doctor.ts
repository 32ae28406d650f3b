import type { DesiredConfig } from '../config/settings.js';
import type { DesiredEmployee } from '../desired/model.js';
import type { DirectoryPort } from '../ports/directory.js';
import type { HrSource } from '../ports/hr-source.js';
import type { OrgSettingsPort } from '../ports/org-settings.js';
import type { TenantAccessPort, TenantDomain } from '../ports/tenant-access.js';
import type { GroupMembersPort } from '../ports/group-members.js';
import { checkCampaignGroups, targetsGroups } from './check-campaign-groups.js';
import { checkDomains, checkPhotoSettings, checkSampleUser } from './check-graph.js';
import { exchangeChecks } from './check-exchange.js';
import { checkHrSource, hrEmployeesFinding, matchShareFinding } from './check-hr.js';
import { checkToken, credentialFinding, type CredentialInfo } from './check-tokens.js';
import { matchTenantUsers, readEmployees } from './employee-match.js';
import { errorText } from './error-text.js';
import { finding, inReportOrder, skipped, type CheckId, type Finding } from './finding.js';
import { rolesFinding } from './required-roles.js';

/** The ports that reach the tenant. */
export interface DoctorTenant {
  access: TenantAccessPort;
  directory: DirectoryPort;
  orgSettings: OrgSettingsPort;
  /** Read only when a campaign targets a group (`campaign-groups`). */
  groupMembers?: GroupMembersPort;
}

/** What the preflight reads from. Nothing here is written to, and nothing is saved. */
export interface DoctorDeps {
  config: DesiredConfig;
  credential: CredentialInfo;
  /** Absent when no credential could be chosen (`credential` says why): the tenant checks are skipped. */
  tenant?: DoctorTenant;
  hrSource: HrSource;
  now?: () => Date;
}

export interface DoctorOptions {
  /**
   * Also read every HR row and list every tenant user, for the employee counts and the match
   * share (`hr-employees`, `match-share`). `roster doctor` always does; the controller only on
   * its deep-check cadence.
   */
  deep: boolean;
}

export interface DoctorReport {
  checkedAt: string;
  deep: boolean;
  findings: Finding[];
}

const GRAPH_CHECKS = ['graph-permissions', 'sample-user', 'domains', 'photo-settings'] as const;
const EXCHANGE_CHECKS = [
  'exchange-token',
  'exchange-permission',
  'exchange-role',
  'exchange-address',
  'roaming-signatures',
] as const;

/**
 * The read-only preflight against the tenant and the HR source: one finding per check, in report
 * order. Never throws for a failed check; each says what to fix.
 */
export async function runDoctor(deps: DoctorDeps, options: DoctorOptions): Promise<DoctorReport> {
  const now = deps.now ?? (() => new Date());
  const checkedAt = now().toISOString();
  const [tenant, hr] = await Promise.all([tenantChecks(deps), hrChecks(deps, options.deep)]);
  const findings = [credentialFinding(deps.credential), ...tenant.findings, ...hr.findings];
  if (options.deep) findings.push(await matchShare(deps, hr.employees, tenant));
  return { checkedAt, deep: options.deep, findings: inReportOrder(findings) };
}

/** The tenant's findings, its domains when they could be read, and whether Graph answers at all. */
interface TenantResult {
  findings: Finding[];
  domains?: TenantDomain[];
  graph: boolean;
}

async function tenantChecks(deps: DoctorDeps): Promise<TenantResult> {
  const { tenant, config, credential } = deps;
  const settings = config.settings;
  // campaign-groups is only reported where a campaign targets a group: otherwise it does not apply.
  const graphChecks: CheckId[] = [
    ...GRAPH_CHECKS,
    ...(targetsGroups(config.campaigns ?? []) ? ['campaign-groups' as const] : []),
  ];
  if (!tenant) {
    const why = 'no credential (see credential)';
    return {
      findings: ['graph-token' as const, ...graphChecks, ...EXCHANGE_CHECKS].map((c) => skipped(c, why)),
      graph: false,
    };
  }
  const graphToken = await checkToken(tenant.access, 'graph', credential, settings);
  if (!graphToken.claims) {
    return {
      findings: [
        graphToken.finding,
        ...graphChecks.map((c) => skipped(c, 'no Graph token')),
        ...(await exchange(deps, tenant, undefined)),
      ],
      graph: false,
    };
  }
  const [sample, domains, photos, groups] = await Promise.all([
    checkSampleUser(tenant.access),
    checkDomains(tenant.access, settings),
    checkPhotoSettings(tenant.orgSettings, settings),
    checkCampaignGroups(config.campaigns ?? [], graphToken.claims, tenant.groupMembers),
  ]);
  const permissions = rolesFinding(settings, 'graph', graphToken.claims);
  const rest = await exchange(deps, tenant, domains.domains);
  return {
    findings: [
      graphToken.finding,
      permissions,
      sample,
      domains.finding,
      photos,
      ...(groups ? [groups] : []),
      ...rest,
    ],
    ...(domains.domains ? { domains: domains.domains } : {}),
    graph: true,
  };
}

async function exchange(
  deps: DoctorDeps,
  tenant: DoctorTenant,
  domains: TenantDomain[] | undefined,
): Promise<Finding[]> {
  const settings = deps.config.settings;
  if (!settings.signatures.enabled)
    return EXCHANGE_CHECKS.map((c) => skipped(c, 'signatures are off (signatures.enabled)'));
  const token = await checkToken(tenant.access, 'exchange', deps.credential, settings);
  const permission = token.claims ? rolesFinding(settings, 'exchange', token.claims) : undefined;
  return exchangeChecks(tenant, settings, token, permission, domains);
}

async function hrChecks(
  deps: DoctorDeps,
  deep: boolean,
): Promise<{ findings: Finding[]; employees?: DesiredEmployee[] }> {
  const source = await checkHrSource(deps.hrSource, deps.config.settings);
  if (!deep) return { findings: [source] };
  if (source.status === 'error')
    return { findings: [source, skipped('hr-employees', 'the HR source could not be read')] };
  try {
    const { counts, employees } = await readEmployees(deps.config, deps.hrSource);
    return { findings: [source, hrEmployeesFinding(counts)], employees };
  } catch (error) {
    return {
      findings: [
        source,
        finding(
          'hr-employees',
          'error',
          `the HR rows could not be read: ${errorText(error)}`,
          'check the HR database and source.query (roster validate)',
        ),
      ],
    };
  }
}

async function matchShare(
  deps: DoctorDeps,
  employees: DesiredEmployee[] | undefined,
  tenant: TenantResult,
): Promise<Finding> {
  if (!employees) return skipped('match-share', 'no employees were read (see hr-employees)');
  if (!deps.tenant) return skipped('match-share', 'no credential (see credential)');
  if (!tenant.graph) return skipped('match-share', 'no Graph token');
  const settings = deps.config.settings;
  try {
    const names = (tenant.domains ?? []).filter((d) => d.isVerified).map((d) => d.name);
    const counts = await matchTenantUsers(employees, deps.tenant.directory, settings.scope.domains, names);
    return matchShareFinding(counts, settings, tenant.domains);
  } catch (error) {
    return finding(
      'match-share',
      'error',
      `the tenant's users could not be listed: ${errorText(error)}`,
      "grant the Microsoft Graph application permission User.ReadWrite.All to Roster's app",
    );
  }
}
