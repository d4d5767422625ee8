import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';

export type { TokenCredential };

/**
 * The identity the bot signs in to Cosmos DB and Storage with when they are configured without keys:
 * the host's managed identity (the user-assigned one AZURE_CLIENT_ID names, else the system-assigned
 * one), or on a developer's machine whatever DefaultAzureCredential finds (Azure CLI, VS Code...).
 * Nothing is fetched until a store asks for a token.
 */
export function azureCredential(clientId?: string): TokenCredential {
  return new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
}
