import { StubConnector } from '../support/stubConnector';

/**
 * The stub Bot Connector in a process of its own for `npm run bench`, enforcing Teams' rate limits
 * (429 with Retry-After). The parent asks for its counts over IPC.
 */
const connector = new StubConnector();
connector.enforceTeamsLimits = true;

void connector.start().then(() => process.send!({ type: 'listening', url: connector.url }));
process.on('message', (message: { type: string }) => {
  if (message.type === 'stats') {
    const texts = connector.calls.map((c) => String(c.activity.text));
    process.send!({ type: 'stats', accepted: texts.length, unique: new Set(texts).size, throttled: connector.refused.filter((r) => r.status === 429).length });
  }
  if (message.type === 'stop') void connector.stop().then(() => process.exit(0));
});
