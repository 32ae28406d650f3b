/**
 * Entra ID group membership, for campaigns that target a group (Microsoft Graph groups, in the
 * adapter).
 */
export interface GroupMembersPort {
  /**
   * The addresses of the group's user members, nested groups included: each user's mail,
   * userPrincipalName and SMTP proxy addresses, lower-cased (an employee matches by email).
   */
  memberAddresses(groupId: string): Promise<Set<string>>;
}
