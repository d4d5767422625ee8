// The adaptivecards package validates without a DOM when its bundled build is loaded directly.
const AC = require('adaptivecards/dist/adaptivecards.js');

export const MAX_CARD_BYTES = 80 * 1024;
const MAX_VERSION = '1.5';

/** Every reason a card would not render in Teams as intended; empty when it is fine. */
export function cardProblems(card: unknown): string[] {
  const problems: string[] = [];
  const json = JSON.stringify(card);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_CARD_BYTES) problems.push(`card is ${bytes} bytes, over ${MAX_CARD_BYTES}`);
  const unresolved = /\$\{[^}]*\}/.exec(json);
  if (unresolved) problems.push(`unresolved template expression ${unresolved[0]}`);
  const version = (card as { version?: string }).version;
  if (!version || !/^1\.[0-5]$/.test(version)) problems.push(`card version ${version} is not 1.5 or lower (max ${MAX_VERSION})`);
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  parsed.parse(card, context);
  for (let i = 0; i < context.eventCount; i++) problems.push(`parse: ${context.getEventAt(i).message}`);
  const validation = parsed.validateProperties();
  for (const event of validation.validationEvents) problems.push(`validate: ${event.message}`);
  return problems;
}
