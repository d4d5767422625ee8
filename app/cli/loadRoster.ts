import 'dotenv/config';
import { resolve } from 'node:path';
import { formatConfigErrors, loadConfig } from '../../src/config/config';
import { CosmosDatabase } from '../../src/storage/cosmosDatabase';
import { azureCredential } from '../../src/storage/azureIdentity';
import { RosterFileError, RosterStore } from '../../src/storage/rosterStore';
import { counted } from '../../src/logger';

/**
 * `npm run roster:load -- <file>`: replaces the roster stored in the configured Cosmos DB with the
 * file's content. Claims are not touched. Running bots see the change within 30 seconds (their
 * look-up cache). Without COSMOS_KEY it signs in as the operator (Azure CLI) or the managed identity.
 */
async function main(): Promise<number> {
  const file = process.argv[2];
  if (!file) {
    console.error('Usage: npm run roster:load -- <roster.json>');
    return 2;
  }
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    console.error(formatConfigErrors(loaded.errors));
    return 2;
  }
  const { cosmos } = loaded.config;
  if (cosmos.mode === 'embedded') {
    console.error(
      'COSMOS_ENDPOINT is not set: the embedded store lives inside the running bot. Set ROSTER_FILE and send the bot SIGHUP (or restart it) to reload.',
    );
    return 2;
  }
  // Without COSMOS_KEY: the managed identity (AZURE_CLIENT_ID), or the operator's own Azure CLI sign-in.
  const auth = cosmos.key ? { key: cosmos.key } : { credential: azureCredential(loaded.config.azureClientId) };
  const db = await CosmosDatabase.open({ endpoint: cosmos.endpoint, ...auth, database: cosmos.database, embedded: cosmos.loopback });
  try {
    const summary = await new RosterStore(db.containers.rosters).loadFile(resolve(file));
    console.log(
      `Roster loaded into ${cosmos.endpoint} (${cosmos.database}): ${counted(summary.organisations, 'organisation')}, ${counted(summary.partnerUsers, 'partner user')}, ${counted(summary.reviewers, 'reviewer')}; ${counted(summary.removed, 'entry', 'entries')} removed.`,
    );
    return 0;
  } catch (error) {
    console.error(error instanceof RosterFileError ? error.message : `Could not load the roster: ${(error as Error).message}`);
    return 1;
  } finally {
    db.close();
  }
}

void main().then((code) => process.exit(code));
