import type { BotApp } from '../../app/botApp';
import { PARTNER_AAD, PARTNER_TENANT, personalMessage, postActivity } from './activities';
import type { StubConnector } from './stubConnector';
import { uniqueName } from './testStorage';

/** A partner's 1:1 chat with the bot over HTTP: `send` posts an activity and returns the replies as JSON text. */
export function partnerChat(app: BotApp, connector: StubConnector, prefix: string) {
  const conversation = { id: `a:${uniqueName(prefix)}`, conversationType: 'personal', tenantId: PARTNER_TENANT };
  const send = async (extra: Record<string, unknown>) => {
    const { body } = await postActivity(app.url, { ...personalMessage('', { aadObjectId: PARTNER_AAD }), serviceUrl: connector.url, conversation, ...extra });
    return JSON.stringify(body?.activities ?? []);
  };
  /** Starts a new draft claim (past the offer to continue an earlier one) and returns its id. */
  const newDraft = async () => {
    let answer = await send({ text: 'new claim' });
    if (answer.includes('Continue a draft?')) answer = await send({ text: undefined, value: { action: 'form.claim', step: 'resume', button: 'new' } });
    return answer.match(/I started draft (CL-[0-9A-Z]{8})/)![1];
  };
  return { conversation, send, newDraft };
}

/** A Teams file upload as it arrives on a message: a pre-authorised download URL. */
export function teamsFile(name: string, downloadUrl: string) {
  return { contentType: 'application/vnd.microsoft.teams.file.download.info', name, content: { downloadUrl, uniqueId: name, fileType: name.split('.').pop() } };
}
