import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProbe } from '../support/probeProcess';
import { sharedServers, uniqueName } from '../support/testStorage';

/**
 * The image runs Node 22 with AsyncLocalStorage on async context frames (`ENV NODE_OPTIONS` in the
 * Dockerfile): with Node's async hooks instead, every promise of a turn (the Cosmos DB SDK makes some
 * sixty per request) runs hook code, some 7-11% of a turn's CPU (docs/performance.md, session 11). The
 * log lines must still carry their own turn's ids.
 */

const ROOT = join(__dirname, '..', '..');
const FLAG = '--experimental-async-context-frame';
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const runtimeFrom = /^FROM node:(\d+)\S* AS runtime$/m.exec(dockerfile);
const runtimeStage = dockerfile.slice(runtimeFrom?.index ?? dockerfile.length);
const imageNodeOptions = /^ENV NODE_OPTIONS=(.+)$/m.exec(runtimeStage)?.[1] ?? '';

describe('async context frames in the image', () => {
  test('the runtime stage sets them for Node 22, where they are not yet the default', () => {
    const major = Number(runtimeFrom?.[1]);
    expect(major).toBe(22); // Node 24 uses async context frames by default: drop the ENV line then, and this test.
    expect(imageNodeOptions.split(/\s+/)).toContain(FLAG);
  });

  // Node 20 has no async context frames (the image runs Node 22; .ci/run runs the suite on Node 22 too).
  const supported = process.allowedNodeEnvironmentFlags.has(FLAG);
  if (!supported)
    console.log(`asyncContextFrames.test.ts: Node ${process.version} has no ${FLAG}; the log-context check runs on Node 22 (.ci/run's second pass)`);
  (supported ? test : test.skip)(
    "with the image's NODE_OPTIONS, two turns at once keep their own ids across Cosmos DB requests",
    () => {
      const { cosmosEndpoint, cosmosKey } = sharedServers();
      const result = runProbe<{ frames: boolean; turns: Record<string, string>[]; outside: Record<string, string> }>('test/support/logContextProbe.ts', {
        NODE_OPTIONS: imageNodeOptions,
        TEST_COSMOS_ENDPOINT: cosmosEndpoint,
        TEST_COSMOS_KEY: cosmosKey,
        PROBE_DATABASE: uniqueName('frames-'),
      });
      expect(result.frames).toBe(true);
      expect(result.turns).toEqual([
        { activityId: 'activity-1', conversationId: 'conversation-of-activity-1' },
        { activityId: 'activity-2', conversationId: 'conversation-of-activity-2' },
      ]);
      expect(result.outside).toEqual({});
    },
    90_000,
  );
});
