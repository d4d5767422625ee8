import { filterWords, FILTER_FIELD_NAMES, readListFilter, statusOf, type FilterFields, type ListFilter } from '../../src/domain/claimListFilter';
import { type Locale, type MessageKey } from '../../src/i18n/locales';
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

export type CommandId = 'myClaims' | 'claim' | 'history' | 'needsAction' | 'help' | 'newClaim' | 'withdraw' | 'dispute' | 'useForReviews' | 'export';

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
  export: 'export my claims',
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
  export: '导出我的声明',
};

/** A command's words as a hint names them in a language ("type “我的声明”"). */
export function commandWords(locale: Locale, id: CommandId): string {
  return locale === 'zh-CN' ? CHINESE_COMMAND_WORDS[id] : COMMAND_WORDS[id];
}

/** The command words of each language's menu. */
const COMMAND_TITLES: Record<Locale, Record<CommandId, string>> = { 'en-US': COMMAND_WORDS, 'zh-CN': CHINESE_COMMAND_WORDS };

/** Which commands each Teams scope offers, in menu order (Teams allows at most 10 per scope). */
export const COMMANDS_BY_SCOPE: Record<CommandScope, readonly CommandId[]> = {
  personal: ['myClaims', 'needsAction', 'claim', 'history', 'newClaim', 'withdraw', 'dispute', 'export', 'help'],
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
  | { kind: 'myClaims'; filter: ListFilter; paging: ListPaging; /** Asked with a filter or a page, not just "my claims". */ refined: boolean }
  | { kind: 'needsAction'; filter: ListFilter; paging: ListPaging }
  /** "export my claims" / "export queue", with the list's filters; "csv" for a CSV file. */
  | { kind: 'export'; list: 'mine' | 'queue'; format: 'xlsx' | 'csv'; filter: ListFilter }
  /** "claim" without saying which: the usage. ("claim <id or name>" is a find.) */
  | { kind: 'claim' }
  | { kind: 'history'; claimId?: string; query?: string; page: number }
  /** Free text: a claim id, a customer domain or a claim name; `explicit` when asked as a question ("status of …"). */
  | { kind: 'find'; text: string; explicit: boolean }
  /** A filter value that can't be used, with what is expected. */
  | { kind: 'badInput'; message: MessageKey; params: Record<string, string | number | string[]> }
  | { kind: 'unknown' };

/** The query commands: they only read, so their buttons are answered even while a form is open. */
export const QUERY_COMMANDS: readonly ChatCommand['kind'][] = ['myClaims', 'needsAction', 'claim', 'history', 'find', 'export'];

/**
 * A typed question whose whole effect is its answer ("claim CL-…", "status of …", "my claims", "history …",
 * "what needs my action"): nothing is written and no file is offered, so its activity record can be written
 * while the answer is made (bot/cporBot.ts). Free text that may be a form's answer is not one.
 */
export function asksOnly(command: ChatCommand): boolean {
  return command.kind === 'find'
    ? command.explicit
    : command.kind === 'claim' || command.kind === 'myClaims' || command.kind === 'needsAction' || command.kind === 'history';
}

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
  [/^(export)(?:\s+(.*))?$/, 'export'],
  // Chinese needs no space after the command word: "导出我的声明", "我的声明状态已批准".
  [/^(导出)\s*(.*)$/, 'export'],
  [/^(what needs my action|what needs action|needs my action|my actions|to ?do|待办|待处理|需要我处理)\??$/, 'needsAction'],
  [/^(queue|review queue|the queue|评审队列|队列|待办)(?:\s+(.*))?$/, 'needsAction'],
  [/^(my claims|our claims|claims|list)(?:\s+(.*))?$/, 'myClaims'],
  [/^(我的声明|我的认领)\s*(.*)$/, 'myClaims'],
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
      case 'needsAction': {
        const filter = listFilterOf(restAsTyped, data, false);
        return 'kind' in filter ? filter : { kind: 'needsAction', filter: filter.filter, paging: filter.fromForm ? { page: 1, starts: [] } : pagingOf(data) };
      }
      case 'export':
        return exportCommand(restAsTyped, data);
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

/** "my claims", "my claims approved contoso", "my claims status approved area microsoft 365 sort deadline", "我的声明 状态 已批准", or the list card's form. */
function myClaims(rest: string, data: Record<string, unknown>): ChatCommand {
  const read = listFilterOf(rest, data, true);
  if ('kind' in read) return read;
  const paging = read.fromForm ? { page: 1, starts: [] } : pagingOf(data);
  const refined = Object.keys(read.filter).length > 0 || read.fromForm || paging.page > 1;
  return { kind: 'myClaims', filter: read.filter, paging, refined };
}

/** "export my claims csv status approved", "export queue", "导出我的声明 状态 已批准", or a list card's Export button. */
function exportCommand(rest: string, data: Record<string, unknown>): ChatCommand {
  let words = ` ${rest} `;
  const format = /\scsv\s/i.test(words) || stringOf(data.format) === 'csv' ? 'csv' : 'xlsx';
  words = words.replace(/\s(csv|excel|xlsx)\s/gi, ' ');
  const queue = /^\s*(queue|review queue|the queue|评审队列|队列)(\s|$)/i.exec(words);
  const mine = /^\s*(my claims|our claims|claims|我的声明|我的认领|声明)(\s|$)/i.exec(words);
  const list = queue || stringOf(data.list) === 'queue' ? 'queue' : 'mine';
  const filterText = (queue ?? mine) ? words.trim().slice((queue ?? mine)![1].length) : words;
  const read = listFilterOf(filterText.trim(), data, list === 'mine');
  if ('kind' in read) return read;
  return { kind: 'export', list, format, filter: read.filter };
}

/**
 * A list's filter from a button's data (the form's inputs, or the filter a Next or Export button
 * carries) and the typed words after the command; the typed words win. Words before any keyword are a
 * leading status and free text, as before keywords (`my claims approved contoso`), where `freeText`.
 */
function listFilterOf(
  rest: string,
  data: Record<string, unknown>,
  freeText: boolean,
): { filter: ListFilter; fromForm: boolean } | Extract<ChatCommand, { kind: 'badInput' }> {
  const fromForm = data.filter === true || data.filter === 'true';
  const fields: FilterFields = {};
  for (const name of FILTER_FIELD_NAMES) if (typeof data[name] === 'string') fields[name] = data[name] as string;
  // Cards drawn by earlier versions carry `status` and `customer`.
  if (fields.filterStatus === undefined && typeof data.status === 'string') fields.filterStatus = data.status;
  if (fields.filterCustomer === undefined && typeof data.customer === 'string') fields.filterCustomer = data.customer;
  if (rest) {
    const typed = filterWords(rest);
    if (!typed.ok) return { kind: 'badInput', message: typed.problem.message, params: typed.problem.params };
    Object.assign(fields, typed.fields);
    let free = typed.rest.trim();
    if (free && !freeText) return { kind: 'badInput', message: 'filter.missingValue', params: { keyword: free.split(' ')[0].slice(0, 40) } };
    if (free && typed.fields.filterStatus === undefined) {
      const leading = leadingStatus(free);
      if (leading) {
        fields.filterStatus = leading.status;
        free = leading.rest;
      }
    }
    if (free && typed.fields.filterCustomer === undefined) fields.filterCustomer = free;
  }
  const read = readListFilter(fields);
  return read.ok ? { filter: read.filter, fromForm } : { kind: 'badInput', message: read.problem.message, params: read.problem.params };
}

export { statusOf };

/** A status at the start of free words ("rejected final contoso"): the longest run of words that names one. */
function leadingStatus(value: string): { status: string; rest: string } | undefined {
  const words = value.trim().split(/\s+/);
  for (let n = Math.min(4, words.length); n >= 1; n--) {
    const status = words.slice(0, n).join(' ');
    if (statusOf(status)) return { status, rest: words.slice(n).join(' ') };
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
