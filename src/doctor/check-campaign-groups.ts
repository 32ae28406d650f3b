import type { Campaign } from '../desired/campaign-model.js';
import type { GroupMembersPort } from '../ports/group-members.js';
import type { TokenClaims } from '../ports/tenant-access.js';
import { errorText, isRefusal, statusOf } from './error-text.js';
import { finding, ok, skipped, type Finding } from './finding.js';

/**
 * Application permissions that read a group's members (`GET /groups/{id}/transitiveMembers`):
 * GroupMember.Read.All is the least privileged; the higher ones grant it too.
 * https://learn.microsoft.com/graph/api/group-list-transitivemembers#permissions
 */
export const GROUP_READ_ROLES: readonly string[] = [
  'GroupMember.Read.All',
  'Group.Read.All',
  'Group.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];

const GRANT =
  "grant the Microsoft Graph application permission GroupMember.Read.All to Roster's app (type Application, not Delegated) and grant admin consent (docs/azure-setup.md, step 2)";

/** Each group campaigns target, with the campaigns that target it, in id order. */
function targetedGroups(campaigns: readonly Campaign[]): [string, string[]][] {
  const groups = new Map<string, string[]>();
  for (const c of campaigns) {
    if (c.target.group) groups.set(c.target.group, [...(groups.get(c.target.group) ?? []), c.id]);
  }
  return [...groups].sort(([a], [b]) => (a < b ? -1 : 1));
}

/** Whether any campaign targets an Entra ID group (then `campaign-groups` is checked). */
export function targetsGroups(campaigns: readonly Campaign[]): boolean {
  return campaigns.some((c) => c.target.group !== undefined);
}

/**
 * `campaign-groups`: when a valid campaign targets an Entra ID group, the Graph token must carry
 * GroupMember.Read.All (or a higher permission) and each group must be readable; otherwise the
 * group selects nobody at every run. Undefined (no finding) when no campaign targets a group.
 */
export async function checkCampaignGroups(
  campaigns: readonly Campaign[],
  claims: TokenClaims | undefined,
  port: GroupMembersPort | undefined,
): Promise<Finding | undefined> {
  const groups = targetedGroups(campaigns);
  if (groups.length === 0) return undefined;
  if (!claims) return skipped('campaign-groups', 'no Graph token');
  const named = groups.map(([group, ids]) => `${group} (campaign ${ids.join(', ')})`).join('; ');
  const held = new Set(claims.roles.map((r) => r.toLowerCase()));
  if (!GROUP_READ_ROLES.some((r) => held.has(r.toLowerCase()))) {
    return finding(
      'campaign-groups',
      'error',
      `campaigns target the Entra ID groups ${named}, but the graph token lacks GroupMember.Read.All: those groups select nobody`,
      GRANT,
    );
  }
  if (!port) return skipped('campaign-groups', 'this tenant connection cannot read group members');
  const problems: string[] = [];
  const counts: string[] = [];
  let refused = false;
  for (const [group, ids] of groups) {
    try {
      counts.push(`${group}: ${(await port.memberAddresses(group)).size} member address(es)`);
    } catch (error) {
      refused ||= isRefusal(error);
      const why = statusOf(error) === 404 ? 'no such group in this tenant' : errorText(error);
      problems.push(`group ${group} (campaign ${ids.join(', ')}) could not be read: ${why}`);
    }
  }
  if (problems.length === 0)
    return ok('campaign-groups', `every targeted group is readable (${counts.join('; ')})`);
  return finding(
    'campaign-groups',
    'error',
    `${problems.join('; ')}; such a group selects nobody`,
    refused
      ? GRANT
      : 'set target.group to the object id of an Entra ID group of this tenant (Entra admin center → Groups → the group → Object ID)',
  );
}
