/** Activities shaped as Teams sends them, for tests that go through HTTP or the adapter. */
export const PARTNER_TENANT = '5c2a1f3e-8b4d-4e6f-9a7b-1c2d3e4f5a6b';
export const PARTNER_AAD = 'a1b2c3d4-0001-4000-8000-000000000001';
/** Tailspin Partners' tenant in the demo roster. */
export const TAILSPIN_TENANT = '7d3b2a1c-9e8f-4a6b-8c7d-2e3f4a5b6c7d';
export const REVIEWER_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const REVIEWER_AAD = 'c3d4e5f6-0001-4000-8000-000000000001';

export function personalMessage(text: string, options: { aadObjectId?: string; tenantId?: string; locale?: string; expectReplies?: boolean } = {}) {
  const aad = options.aadObjectId ?? PARTNER_AAD;
  const tenantId = options.tenantId ?? PARTNER_TENANT;
  return {
    type: 'message',
    id: `m-${Math.random().toString(36).slice(2)}`,
    text,
    locale: options.locale ?? 'en-US',
    channelId: 'msteams',
    serviceUrl: 'http://127.0.0.1:9/',
    timestamp: new Date().toISOString(),
    conversation: { id: `a:personal-${aad}`, conversationType: 'personal', tenantId },
    from: { id: `29:user-${aad}`, aadObjectId: aad, name: 'Test user' },
    recipient: { id: '28:cpor-bot', name: 'CPOR claims' },
    channelData: { tenant: { id: tenantId } },
    ...(options.expectReplies === false ? {} : { deliveryMode: 'expectReplies' }),
  };
}

/** An activity from a person in a Teams conversation, whose replies and proactive messages go to `serviceUrl` (a stub connector). */
export function teamsActivity(
  from: {
    serviceUrl: string;
    aadObjectId: string;
    tenantId: string;
    name?: string;
    conversation: Record<string, unknown>;
    channelData?: Record<string, unknown>;
  },
  extra: Record<string, unknown> = {},
) {
  return {
    id: `t-${Math.random().toString(36).slice(2)}`,
    channelId: 'msteams',
    serviceUrl: from.serviceUrl,
    locale: 'en-US',
    conversation: { tenantId: from.tenantId, ...from.conversation },
    from: { id: `29:${from.aadObjectId}`, aadObjectId: from.aadObjectId, name: from.name ?? 'Someone' },
    recipient: { id: '28:cpor-bot' },
    channelData: { tenant: { id: from.tenantId }, ...from.channelData },
    ...extra,
  };
}

export function channelInstall(conversationId: string, tenantId = REVIEWER_TENANT) {
  return {
    type: 'installationUpdate',
    action: 'add',
    id: `i-${Math.random().toString(36).slice(2)}`,
    channelId: 'msteams',
    serviceUrl: 'http://127.0.0.1:9/',
    conversation: { id: conversationId, conversationType: 'channel', tenantId, name: 'CPOR reviews' },
    from: { id: `29:user-${REVIEWER_AAD}`, aadObjectId: REVIEWER_AAD },
    recipient: { id: '28:cpor-bot' },
    channelData: { tenant: { id: tenantId }, team: { id: '19:team@thread.tacv2' }, channel: { id: conversationId } },
    deliveryMode: 'expectReplies',
  };
}

export async function postActivity(baseUrl: string, activity: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(activity),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  // expectReplies answers carry `activities`; invoke answers carry `statusCode`, `type` and `value` (a card, for adaptiveCard/action).
  return {
    status: response.status,
    body: body as { activities?: Record<string, unknown>[]; statusCode?: number; type?: string; value?: Record<string, unknown> } | undefined,
  };
}
