import { CLAIM_STATUSES, type ClaimStatus } from '../../src/domain/claimStatus';
import { catalogue, LOCALES, wordings, type Locale, type MessageKey } from '../../src/i18n/locales';
import { t } from '../../src/i18n/teamsMarkdown';
import { languageChoice } from '../../src/i18n/personLanguage';

/**
 * The chat commands: the list people see (help card, welcome card, the manifest's command menus) and
 * the parsing of what they type or press. Commands are typed in English, in any case and spacing
 * (Teams inserts a command's title when it is picked from the menu); the Chinese command words are
 * understood too. Buttons send `{ command: '...' }` with the command's own words, so a button and
 * typing are one path. Parsing never throws: input it can't use becomes a command that says why.
 */

export type CommandScope = 'personal' | 'team' | 'groupChat';

export type CommandId = 'myClaims' | 'claim' | 'history' | 'needsAction' | 'help' | 'newClaim' | 'withdraw' | 'dispute' | 'useForReviews';

/** What a person types for each command (the manifest's command title; Teams allows at most 32 characters). */
export const COMMAND_WORDS: Record<CommandId, string> = {
  myClaims: 'my claims',
  claim: 'claim',
  history: 'history',
  needsAction: 'what needs my action',
  help: 'help',
  newClaim: 'new claim',
  withdraw: 'withdraw',
  dispute: 'dispute',
  useForReviews: 'use this channel for reviews',
};

/**
 * The Chinese words of each command: understood as typed, named in every zh-CN hint, and what Chinese
 * speakers pick from their command menu (the manifest's zh-cn localization file), so a menu entry
 * inserted by Teams just works.
 */
export const CHINESE_COMMAND_WORDS: Record<CommandId, string> = {
  myClaims: '我的声明',
  claim: '声明',
  history: '历史记录',
  needsAction: '待办',
  help: '帮助',
  newClaim: '新建声明',
  withdraw: '撤回',
  dispute: '争议',
  useForReviews: '将此频道用于评审',
};

/** A command's words as a hint names them in a language ("type “我的声明”"). */
export function commandWords(locale: Locale, id: CommandId): string {
  return locale === 'zh-CN' ? CHINESE_COMMAND_WORDS[id] : COMMAND_WORDS[id];
}

/** The command words of each language's menu. */
const COMMAND_TITLES: Record<Locale, Record<CommandId, string>> = { 'en-US': COMMAND_WORDS, 'zh-CN': CHINESE_COMMAND_WORDS };

/** Which commands each Teams scope offers, in menu order (Teams allows at most 10 per scope). */
export const COMMANDS_BY_SCOPE: Record<CommandScope, readonly CommandId[]> = {
  personal: ['myClaims', 'needsAction', 'claim', 'history', 'newClaim', 'withdraw', 'dispute', 'help'],
  // In a channel or group chat, claim details are for reviewers: partners' claims stay in their 1:1 chat.
  team: ['needsAction', 'claim', 'history', 'useForReviews', 'help'],
  groupChat: ['needsAction', 'claim', 'history', 'useForReviews', 'help'],
};

export interface BotCommand {
  /** What the person types (and what Teams inserts when the command is picked from the menu). */
  title: string;
  /** One line on what it does, at most 128 characters. */
  description: string;
}

/** The commands of every scope, titles and descriptions in a language: the manifest's menus (en-US) and its localization file (zh-CN). */
export function botCommands(locale: Locale): Record<CommandScope, BotCommand[]> {
  const entries = (Object.keys(COMMANDS_BY_SCOPE) as CommandScope[]).map((scope) => [
    scope,
    COMMANDS_BY_SCOPE[scope].map((id) => ({ title: COMMAND_TITLES[locale][id], description: t(locale, `command.${id}` as MessageKey) })),
  ]);
  return Object.fromEntries(entries) as Record<CommandScope, BotCommand[]>;
}

/** A button's data for a command: pressing it is typing its words (`extra` carries filters and paging). */
export function commandData(words: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...extra, action: 'command', command: words };
}

/** The manifest's `bots[0].commandLists`, in en-US: `{ personal: [{ title, description }...], team: [...], groupChat: [...] }`. */
export const BOT_COMMANDS: Record<CommandScope, BotCommand[]> = botCommands('en-US');

/** The scope of a Teams conversation type ("personal", "channel", "groupChat"). */
export function scopeOf(conversationType: string | undefined): CommandScope {
  return conversationType === 'channel' ? 'team' : conversationType === 'groupChat' ? 'groupChat' : 'personal';
}

/** A list's place: page number and the continuation tokens that start pages 2..page (so Previous needs no re-reading). */
export interface ListPaging {
  page: number;
  starts: string[];
}

export type ChatCommand =
  | { kind: 'help' }
  /** "language 中文" / "language English"; without a language it knows, the usage. */
  | { kind: 'language'; locale?: Locale }
  | { kind: 'newClaim' }
  | { kind: 'useForReviews' }
  | { kind: 'withdraw' | 'dispute'; claimId?: string }
  | { kind: 'myClaims'; status?: ClaimStatus; text?: string; paging: ListPaging; /** Asked with a filter or a page, not just "my claims". */ refined: boolean }
  | { kind: 'needsAction'; paging: ListPaging }
  /** "claim" without saying which: the usage. ("claim <id or name>" is a find.) */
  | { kind: 'claim' }
  | { kind: 'history'; claimId?: string; query?: string; page: number }
  /** Free text: a claim id, a customer domain or a claim name; `explicit` when asked as a question ("status of …"). */
  | { kind: 'find'; text: string; explicit: boolean }
  /** A filter value that can't be used, with what is expected. */
  | { kind: 'badInput'; message: MessageKey; params: Record<string, string | number | string[]> }
  | { kind: 'unknown' };

/** The query commands: they only read, so their buttons are answered even while a form is open. */
export const QUERY_COMMANDS: readonly ChatCommand['kind'][] = ['myClaims', 'needsAction', 'claim', 'history', 'find'];

const CLAIM_ID = /\bcl-[0-9a-z]{8}\b/i;
/** Longest text taken as a filter or search: a customer domain or a claim name is shorter. */
export const MAX_TEXT = 100;
/** Free text longer than this is a sentence, not a claim to look for. */
const MAX_FREE_TEXT = 80;
/** The deepest page a button may ask for (a bound on what a card can carry). */
const MAX_PAGE = 1000;

const ALIASES: [RegExp, CommandId][] = [
  [/^(help|\?|帮助)$/, 'help'],
  [/^(new claim|新建声明)$/, 'newClaim'],
  [/^(use this (channel|chat) for reviews|将此(频道|聊天|群聊)用于评审)$/, 'useForReviews'],
  [/^(what needs my action|what needs action|needs my action|my actions|to ?do|待办|待处理|需要我处理)\??$/, 'needsAction'],
  [/^(my claims|our claims|claims|list|我的声明)(?:\s+(.*))?$/, 'myClaims'],
  [/^(withdraw|撤回)(?:\s+(.*))?$/, 'withdraw'],
  [/^(dispute|争议)(?:\s+(.*))?$/, 'dispute'],
  [/^(history|历史记录|历史)(?:\s+(.*))?$/, 'history'],
  [/^(claim|声明)(?:\s+(.*))?$/, 'claim'],
];

/** "status of contoso", "where is CL-…", "find contoso", "contoso 的状态": the thing asked about. */
const QUESTIONS = [
  /^(?:what(?:'s| is) the )?status (?:of )?(.+?)\??$/,
  /^where(?:'s| is) (.+?)\??$/,
  /^(?:search for|search|show me|show|look up|find|open) (.+)$/,
  /^(?:查找|搜索|查询)\s*(.+)$/,
  /^(.+?)\s*的状态[？?]?$/,
];

/**
 * Parses typed text (without the bot's @mention) or a button's `command`, with the button's other
 * data (filters, paging) when there is any.
 */
export function parseCommand(input: string, data: Record<string, unknown> = {}): ChatCommand {
  const text = input.replace(/\s+/g, ' ').trim();
  const lower = text.toLowerCase();
  if (/^(language|语言)(\s|[:：]|$)/.test(lower)) {
    const locale = languageChoice(text);
    return locale ? { kind: 'language', locale } : { kind: 'language' };
  }
  for (const [pattern, id] of ALIASES) {
    const match = pattern.exec(lower);
    if (!match) continue;
    const rest = (match[2] ?? '').trim();
    const restAsTyped = rest ? text.slice(text.length - rest.length).trim() : '';
    switch (id) {
      case 'help':
      case 'newClaim':
      case 'useForReviews':
        return { kind: id };
      case 'needsAction':
        return { kind: 'needsAction', paging: pagingOf(data) };
      case 'withdraw':
      case 'dispute': {
        if (!rest) return { kind: id };
        const claimId = CLAIM_ID.exec(rest)?.[0];
        // "withdraw contoso" is not a claim id: the usage says what is expected.
        return claimId && rest.length === claimId.length ? { kind: id, claimId: claimId.toUpperCase() } : { kind: id };
      }
      case 'history': {
        const claimId = stringOf(data.claimId) ?? CLAIM_ID.exec(rest)?.[0];
        const page = pageNumber(data.page) ?? pageNumber(/\bpage (\d+)\b/.exec(rest)?.[1]) ?? 1;
        if (claimId) return { kind: 'history', claimId: claimId.toUpperCase(), page };
        const query = restAsTyped.replace(/\s*\bpage \d+\s*$/i, '').trim();
        return query ? { kind: 'history', query: query.slice(0, MAX_TEXT), page } : { kind: 'history', page };
      }
      case 'claim': {
        const query = stringOf(data.claimId) ?? restAsTyped;
        return query ? { kind: 'find', text: CLAIM_ID.exec(query)?.[0] ?? query.slice(0, MAX_TEXT), explicit: true } : { kind: 'claim' };
      }
      case 'myClaims':
        return myClaims(restAsTyped, data);
    }
  }
  if (!text) return { kind: 'help' };
  const claimId = CLAIM_ID.exec(text)?.[0];
  for (const question of QUESTIONS) {
    const asked = question.exec(lower)?.[1]?.trim();
    if (!asked) continue;
    const at = lower.lastIndexOf(asked);
    const typed = lower.length === text.length && at >= 0 ? text.slice(at, at + asked.length) : asked;
    return { kind: 'find', text: claimId ?? typed.slice(0, MAX_TEXT), explicit: true };
  }
  if (claimId) return { kind: 'find', text: claimId, explicit: true };
  if (text.length <= MAX_FREE_TEXT) return { kind: 'find', text, explicit: false };
  return { kind: 'unknown' };
}

/** "my claims", "my claims approved", "my claims under review contoso", "my claims status:approved customer:contoso", or the list card's form. */
function myClaims(rest: string, data: Record<string, unknown>): ChatCommand {
  const fromForm = data.filter === true || data.filter === 'true';
  let statusText = stringOf(fromForm ? data.filterStatus : data.status) ?? '';
  let text = stringOf(fromForm ? data.filterCustomer : data.customer) ?? '';
  if (rest) {
    let remaining = rest;
    const statusMatch = /(?:^|\s)status:\s*("[^"]*"|\S+)/i.exec(remaining);
    if (statusMatch) {
      statusText = statusMatch[1].replace(/"/g, '');
      remaining = remaining.replace(statusMatch[0], ' ');
    }
    const customerMatch = /(?:^|\s)customer:\s*(.*)$/i.exec(remaining);
    if (customerMatch) {
      text = customerMatch[1].replace(/"/g, '').trim();
      remaining = remaining.replace(customerMatch[0], ' ');
    }
    remaining = remaining.trim();
    if (!statusMatch && remaining) {
      const leading = leadingStatus(remaining);
      if (leading) {
        statusText = leading.status;
        remaining = leading.rest;
      }
    }
    if (!customerMatch && remaining) text = remaining;
  }
  text = text.trim();
  // The form's "All statuses" (and typing "all") is no status filter.
  if (/^(all|all statuses|所有状态|全部)$/i.test(statusText.trim())) statusText = '';
  let status: ClaimStatus | undefined;
  if (statusText.trim()) {
    status = statusOf(statusText);
    if (!status) return { kind: 'badInput', message: 'list.badStatus', params: { value: statusText.trim().slice(0, 40), allowed: CLAIM_STATUSES.map((s) => `@status.${s}`) } };
  }
  if (text.length > MAX_TEXT) return { kind: 'badInput', message: 'list.textTooLong', params: { max: MAX_TEXT } };
  const paging = fromForm ? { page: 1, starts: [] } : pagingOf(data);
  return { kind: 'myClaims', ...(status ? { status } : {}), ...(text ? { text } : {}), paging, refined: Boolean(status || text || fromForm || paging.page > 1) };
}

/** Every way a status may be written: its code and its name in each language, without punctuation. */
const STATUS_NAMES: [string, ClaimStatus][] = CLAIM_STATUSES.flatMap((status) => {
  const names = [status, ...LOCALES.flatMap((locale) => wordings(catalogue(locale)[`status.${status}`]))];
  return names.map((name) => [normalise(name), status] as [string, ClaimStatus]);
})
  .concat([['draft', 'Editing'], ['drafts', 'Editing'], ['par', 'PartnerActionRequired'], ['final', 'RejectedFinal']])
  // The longest first, so "rejected final" wins over "rejected".
  .sort((a, b) => b[0].length - a[0].length);

function normalise(value: string): string {
  return value.toLowerCase().replace(/[()（）_-]/g, ' ').replace(/\s+/g, ' ').trim();
}

export function statusOf(value: string): ClaimStatus | undefined {
  const wanted = normalise(value);
  return STATUS_NAMES.find(([name]) => name === wanted || name.replace(/ /g, '') === wanted.replace(/ /g, ''))?.[1];
}

function leadingStatus(value: string): { status: string; rest: string } | undefined {
  const words = normalise(value);
  for (const [name] of STATUS_NAMES) {
    if (words === name || words.startsWith(`${name} `)) {
      // Drop as many typed words as the status name has.
      const count = name.split(' ').length;
      const typedWords = value.trim().split(/\s+/);
      return { status: name, rest: typedWords.slice(count).join(' ') };
    }
  }
  return undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function pageNumber(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,4}$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= MAX_PAGE ? n : undefined;
}

/** The page a button asks for; anything malformed is the first page (a card never breaks a turn). */
function pagingOf(data: Record<string, unknown>): ListPaging {
  const page = pageNumber(data.page) ?? 1;
  const starts = Array.isArray(data.starts) && data.starts.every((s) => typeof s === 'string') ? (data.starts as string[]) : [];
  if (page === 1 || starts.length !== page - 1) return { page: 1, starts: [] };
  return { page, starts };
}
