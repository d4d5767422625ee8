import type { Claim } from '../../domain/claim';
import type { ClaimHistoryEvent } from '../../domain/claimHistory';
import { eventSentence, type OutboxEntry } from '../../domain/claimNotifications';
import type { ClaimStatus } from '../../domain/claimStatus';
import { deadlineParam } from '../../domain/claimLifecycle';
import { reminderTiming, subscriptionsEnding } from '../../domain/claimTimers';
import { nearestDeadline, type TimeContext } from '../../domain/deadlinePolicy';
import type { Message, MessageKey } from '../../i18n/locales';

/**
 * What a claim's partner user is told of one change, as catalogue messages in no language yet: the
 * Teams notice card (bot/reviews/partnerNotifier.ts) and the e-mail sent instead when Teams can't
 * deliver it (partnerMail.ts) say the same. It tells the change as `entry` recorded it (status and next
 * deadline then), so a notice delivered after later changes does not tell the present as if it were
 * the change. The approval's meaning is the key `partner.approvalMeaning` with the guide's `url`, which
 * each medium makes a link its own way.
 */
export interface PartnerNotice {
  title: Message;
  lines: Message[];
  /** The status as the change left it. */
  status: ClaimStatus;
}

export function partnerNotice(ctx: TimeContext, claim: Claim, event: ClaimHistoryEvent, incentiveGuideUrl: string, entry?: OutboxEntry): PartnerNotice {
  const name = claim.fields.claimName ?? claim.id;
  const status = entry?.status ?? claim.status;
  const next = entry?.status ? entry.next : nearestDeadline(claim.deadlines);
  const line = (key: MessageKey, params?: Message['params']): Message => ({ key, ...(params ? { params } : {}) });
  if (event.action === 'remind') return { status, title: line('reminder.title', { name }), lines: reminderLines(ctx, claim, event) };
  if (event.action === 'comment') {
    return {
      status,
      title: line('partner.comment.title', { name }),
      lines: [line('partner.comment.line', { actor: event.actor.name, role: `@role.${event.actor.kind}` })],
    };
  }
  if (event.action === 'deliveryFailed' && event.delivery?.channel === 'email') {
    // An e-mail bounced (the only delivery failures partners are told of): the customer's approval
    // e-mail, one to the partner contact, or a notice e-mailed to a partner user Teams could not reach.
    const bounced = { recipient: event.delivery.recipient, status: event.delivery.status };
    const prefix =
      event.delivery.to === 'partnerContact'
        ? 'mail.bounced.partnerContact'
        : event.delivery.to === 'partnerUser'
          ? 'mail.bounced.partnerUser'
          : 'mail.bounced.partner';
    return { status, title: line(`${prefix}Title` as MessageKey, { name }), lines: [line(`${prefix}Line` as MessageKey, bounced)] };
  }
  if (event.action === 'requestInfo') {
    const respondBy = next?.name === 'partnerResponse' ? next.due : entry?.status ? undefined : claim.deadlines.partnerResponse;
    return {
      status,
      title: line('partner.par.title', { name }),
      lines: [
        line('partner.par.reasons', { actor: event.actor.name, reasons: (event.reasons ?? []).map((r) => `@infoReason.${r}`) }),
        ...(respondBy ? [line('partner.par.deadline', { date: deadlineParam(ctx, respondBy) })] : []),
      ],
    };
  }
  // What happened, in the past tense, then the status it left (when it changed one).
  const lines = [eventSentence(ctx, event)];
  if (event.fromStatus !== event.toStatus) lines.push(line('event.statusAfter', { status: `@status.${status}` }));
  if (event.reason) lines.push(line('partner.status.reason', { reason: `@reason.${event.reason}` }));
  // The deadline that ran next after the change; with none left, whether the claim went for eligibility assessment.
  if (next) lines.push(line(`partner.next.${next.name}`, { date: deadlineParam(ctx, next.due) }));
  else if (claim.approval?.sentForEligibilityAt) lines.push(line('partner.next.eligibility'));
  if (event.action === 'approve') lines.push(line('partner.approvalMeaning', { url: incentiveGuideUrl }));
  return { status, title: line('partner.status.title', { name, status: `@status.${status}` }), lines };
}

/**
 * A reminder says the time really left when it is sent: on time, the reminder's own sentence; sent
 * late (the bot was down when it was due), how many days are left now.
 */
function reminderLines(ctx: TimeContext, claim: Claim, event: ClaimHistoryEvent): Message[] {
  const reminder = event.reminder ?? '';
  if (reminder === 'subscriptionEnds30d') {
    // The subscriptions ending as the reminder went out, one line each (a later end date has a reminder of its own).
    const ending = subscriptionsEnding(ctx.calendar, claim, new Date(event.at));
    return [
      { key: 'reminder.subscriptionEnds30d' },
      ...ending.map((s) => ({ key: 'reminder.subscriptionEnding' as const, params: { subscriptionId: s.subscriptionId, date: deadlineParam(ctx, s.endsAt) } })),
    ];
  }
  const timing = reminderTiming(ctx, claim, reminder);
  const date = timing ? deadlineParam(ctx, timing.due) : '-';
  if (timing && !timing.onTime) {
    const key = timing.daysLeft === 0 ? 'reminder.endsToday' : timing.unit === 'businessDays' ? 'reminder.lateBusinessDaysLeft' : 'reminder.lateDaysLeft';
    return [{ key, params: { count: timing.daysLeft, date } }];
  }
  return [{ key: `reminder.${reminder}` as MessageKey, params: { date, claimId: claim.id } }];
}
