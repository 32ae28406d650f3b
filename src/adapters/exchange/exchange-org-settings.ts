import { RemoteApiError } from '../../errors/roster-error.js';
import type { OrgSettingsPort } from '../../ports/org-settings.js';
import type { ExchangeClient } from './exchange-client.js';

const PROPERTY = 'PostponeRoamingSignaturesUntilLater';

/**
 * The org-settings port over `Get-OrganizationConfig`.
 * https://learn.microsoft.com/powershell/module/exchange/get-organizationconfig
 */
export function createExchangeOrgSettings(exchange: ExchangeClient): OrgSettingsPort {
  return {
    async getRoamingSignaturesPostponed() {
      const result = await exchange.invoke('Get-OrganizationConfig', {}, { select: [PROPERTY] });
      const value = result.value[0]?.[PROPERTY];
      if (typeof value !== 'boolean') {
        throw new RemoteApiError(
          'exchange',
          200,
          'UnexpectedResult',
          `exchange Get-OrganizationConfig: ${PROPERTY} missing from the answer`,
        );
      }
      return value;
    },
  };
}
