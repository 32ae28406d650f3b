import type { DesiredConfig } from '../config/settings.js';
import type { PlanWarning } from '../plan/plan-model.js';
import type { GroupMembersPort } from '../ports/group-members.js';

/**
 * The members of every group a campaign targets, read once per run. A group that cannot be read
 * (no permission, no such group) selects nobody this run and says so; the campaign's other
 * targets and every other update go on.
 */
export async function readCampaignGroups(
  config: Pick<DesiredConfig, 'campaigns'>,
  port: GroupMembersPort | undefined,
): Promise<{ members: Map<string, ReadonlySet<string>>; warnings: PlanWarning[] }> {
  const members = new Map<string, ReadonlySet<string>>();
  const warnings: PlanWarning[] = [];
  const groups = [
    ...new Set((config.campaigns ?? []).flatMap((c) => (c.target.group ? [c.target.group] : []))),
  ];
  for (const group of groups.sort()) {
    const users = (config.campaigns ?? []).filter((c) => c.target.group === group).map((c) => c.id);
    if (!port) {
      warnings.push({
        kind: 'campaign',
        message: `campaign ${users.join(', ')}: group ${group} is not read here`,
      });
      continue;
    }
    try {
      members.set(group, await port.memberAddresses(group));
    } catch (error) {
      warnings.push({
        kind: 'campaign',
        message: `campaign ${users.join(', ')}: the members of group ${group} could not be read (${error instanceof Error ? error.message : String(error)}); the group selects nobody this run (the app needs GroupMember.Read.All)`,
      });
    }
  }
  return { members, warnings };
}
