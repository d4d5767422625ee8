import { BusinessCalendar } from '../../src/domain/businessCalendar';
import type { ActorRef } from '../../src/domain/actors';
import type { ClaimHistoryEvent } from '../../src/domain/claimHistory';
import { ACTION_RULES } from '../../src/domain/claimLifecycle';
import { eventSentence } from '../../src/domain/claimNotifications';
import { render } from '../../src/i18n/locales';

/**
 * Notices, a claim's timeline and its history tell what happened in the past tense, from the event:
 * "Riley Reviewer approved the claim on …", never an order ("Riley Reviewer: approve the claim.").
 */

const ctx = { calendar: new BusinessCalendar({ timeZone: 'UTC', holidays: [] }) };
const riley = { kind: 'reviewer' as const, id: 'r', name: 'Riley Reviewer' };
const avery = { kind: 'partner' as const, id: 'p', name: 'Avery Fabrikam' };
const system = { kind: 'system' as const, id: 'system', name: 'CPOR bot' };

function event(action: string, actor: ActorRef = riley, extra: Partial<ClaimHistoryEvent> = {}): ClaimHistoryEvent {
  return { seq: 1, at: '2026-11-30T10:15:00.000Z', actor, action, outcome: 'applied', fromStatus: 'Submitted', toStatus: 'Submitted', changes: [], ...extra };
}
const EN_AT = 'Nov 30, 2026, 10:15 AM (UTC)';
const ZH_AT = '2026年11月30日 10:15（UTC）';

test.each([
  [event('approve'), `Riley Reviewer approved the claim on ${EN_AT}.`, `Riley Reviewer 于 ${ZH_AT} 批准了声明。`],
  [event('startReview'), `Riley Reviewer started the review on ${EN_AT}.`, `Riley Reviewer 于 ${ZH_AT} 开始了评审。`],
  [event('reject'), `Riley Reviewer rejected the claim on ${EN_AT}.`, `Riley Reviewer 于 ${ZH_AT} 拒绝了声明。`],
  [event('requestInfo'), `Riley Reviewer asked for more information on ${EN_AT}.`, `Riley Reviewer 于 ${ZH_AT} 请求了更多信息。`],
  [event('submit', avery), `Avery Fabrikam submitted the claim on ${EN_AT}.`, `Avery Fabrikam 于 ${ZH_AT} 提交了声明。`],
  [event('withdraw', avery), `Avery Fabrikam withdrew the claim on ${EN_AT}.`, `Avery Fabrikam 于 ${ZH_AT} 撤回了声明。`],
  [event('dispute', avery), `Avery Fabrikam disputed the rejection on ${EN_AT}.`, `Avery Fabrikam 于 ${ZH_AT} 对拒绝提出了异议。`],
  // A deadline the bot applied is dated when it ended (its last minute), not when the sweep ran.
  [
    event('noPartnerResponse', system, {
      at: '2026-12-01T08:00:00.000Z',
      changes: [{ field: 'deadlines.partnerResponse', before: '2026-12-01T00:00:00.000Z', after: null }],
    }),
    'The claim was rejected on Nov 30, 2026, 11:59 PM (UTC): the partner did not answer in time.',
    '声明于 2026年11月30日 23:59（UTC） 被拒绝：合作伙伴未按时答复。',
  ],
  [
    event('approve', avery, { outcome: 'refused' }),
    `Avery Fabrikam tried to approve the claim on ${EN_AT}: refused.`,
    `Avery Fabrikam 于 ${ZH_AT} 尝试批准声明：被拒绝。`,
  ],
])('%#: %j reads in the past tense in both languages', (e, en, zh) => {
  expect(render('en-US', eventSentence(ctx, e))).toBe(en);
  expect(render('zh-CN', eventSentence(ctx, e))).toBe(zh);
});

test('every action of the lifecycle has its own past-tense sentence, and none reads as an order', () => {
  for (const action of [...Object.keys(ACTION_RULES), 'remind', 'deliveryFailed']) {
    const message = eventSentence(ctx, event(action));
    expect([action, message.key]).toEqual([action, `event.${action}`]);
    const en = render('en-US', message);
    expect([action, /^Riley Reviewer: /.test(en)]).toEqual([action, false]);
    expect([action, /{\w+}/.test(en) || /{\w+}/.test(render('zh-CN', message))]).toEqual([action, false]);
  }
});
