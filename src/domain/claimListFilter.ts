import { CLAIM_STATUSES, type ClaimStatus } from './claimStatus';
import { ACTIVITIES, SOLUTION_AREAS, productCatalogue, type Activity, type SolutionArea } from './productCatalogue';
import { isValidIsoDate } from './businessCalendar';
import { catalogue, LOCALES, wordings, type MessageKey } from '../i18n/locales';

/**
 * The filters and sort orders of a claim list (Partner Center's customer associations table): the one
 * definition read by the typed words (`my claims status approved sort deadline`, `我的声明 状态 已批准`),
 * the list card's form, its Next/Previous/Export buttons and the export. Every way in ends in
 * `readListFilter`, so a value is checked once, the same way, and a bad one is named with what is expected.
 * The values people may write are the ones the string tables already use for statuses, solution areas,
 * activities and products, in both languages.
 */

export const SORT_KEYS = ['deadline', 'created', 'updated', 'status'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = 'asc' | 'desc';

/** What a list shows when nobody chose an order: Partner Center's newest first. */
export const DEFAULT_SORT: ListSort = { key: 'created', direction: 'desc' };
/** The direction a sort key takes when none is given: nearest deadline, newest, lifecycle order. */
const NATURAL_DIRECTION: Record<SortKey, SortDirection> = { deadline: 'asc', created: 'desc', updated: 'desc', status: 'asc' };

export interface ListSort {
  key: SortKey;
  direction: SortDirection;
}

export interface ListFilter {
  status?: ClaimStatus;
  solutionArea?: SolutionArea;
  activity?: Activity;
  mpnId?: string;
  /** A product id of the catalogue. */
  product?: string;
  /** Part of the customer domain or tenant ID (also the claim name or id), any case. */
  text?: string;
  /** Local dates (YYYY-MM-DD) in the business time zone, both ends included. */
  createdFrom?: string;
  createdTo?: string;
  updatedFrom?: string;
  updatedTo?: string;
  /** Absent: the list's own order (newest first, or a queue's nearest deadline first). */
  sort?: ListSort;
}

/** The filter as flat strings: the form's inputs, the buttons' data and what typed words become. */
export type FilterFields = {
  filterStatus?: string;
  filterArea?: string;
  filterActivity?: string;
  filterMpn?: string;
  filterProduct?: string;
  filterCustomer?: string;
  filterCreatedFrom?: string;
  filterCreatedTo?: string;
  filterUpdatedFrom?: string;
  filterUpdatedTo?: string;
  /** "deadline", "created asc", … */
  filterSort?: string;
};
export const FILTER_FIELD_NAMES: readonly (keyof FilterFields)[] = [
  'filterStatus',
  'filterArea',
  'filterActivity',
  'filterMpn',
  'filterProduct',
  'filterCustomer',
  'filterCreatedFrom',
  'filterCreatedTo',
  'filterUpdatedFrom',
  'filterUpdatedTo',
  'filterSort',
];

/** The longest text filter taken: longer is no customer domain or claim name. */
export const MAX_FILTER_TEXT = 100;
const MPN_PATTERN = /^\d{6,10}$/;

export type FilterProblem = { message: MessageKey; params: Record<string, string | number | string[]> };
export type FilterResult = { ok: true; filter: ListFilter } | { ok: false; problem: FilterProblem };

function normalise(value: string): string {
  return value
    .toLowerCase()
    .replace(/[()（）_\-/]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Every way a value may be written: its code and its name in each language (from the string tables), without punctuation. */
function namesOf<T extends string>(values: readonly T[], key: (v: T) => MessageKey, extra: [string, T][] = []): [string, T][] {
  return (
    values
      .flatMap((value) =>
        [value, ...LOCALES.flatMap((locale) => wordings(catalogue(locale)[key(value)]))].map((name) => [normalise(name), value] as [string, T]),
      )
      .concat(extra.map(([n, v]) => [normalise(n), v] as [string, T]))
      // The longest first, so "rejected final" wins over "rejected".
      .sort((a, b) => b[0].length - a[0].length)
  );
}

const STATUS_NAMES = namesOf(CLAIM_STATUSES, (s) => `status.${s}` as MessageKey, [
  ['draft', 'Editing'],
  ['drafts', 'Editing'],
  ['par', 'PartnerActionRequired'],
  ['final', 'RejectedFinal'],
]);
const AREA_NAMES = namesOf(SOLUTION_AREAS, (a) => `area.${a}` as MessageKey, [
  ['m365', 'Microsoft365'],
  ['bizapps', 'BusinessApplications'],
  ['dynamics', 'BusinessApplications'],
  ['dynamics 365', 'BusinessApplications'],
]);
const ACTIVITY_NAMES = namesOf(ACTIVITIES, (a) => `activity.${a}` as MessageKey, [
  ['presales', 'PreSales'],
  ['revenue', 'RevenueAssociation'],
]);
const SORT_NAMES: [string, SortKey][] = [
  ['deadline', 'deadline'],
  ['deadlines', 'deadline'],
  ['next deadline', 'deadline'],
  ['due', 'deadline'],
  ['截止时间', 'deadline'],
  ['截止日期', 'deadline'],
  ['期限', 'deadline'],
  ['created', 'created'],
  ['creation', 'created'],
  ['newest', 'created'],
  ['创建', 'created'],
  ['创建时间', 'created'],
  ['创建日期', 'created'],
  ['updated', 'updated'],
  ['changed', 'updated'],
  ['last updated', 'updated'],
  ['更新', 'updated'],
  ['更新时间', 'updated'],
  ['更新日期', 'updated'],
  ['status', 'status'],
  ['状态', 'status'],
];
const DIRECTION_NAMES: [string, SortDirection][] = [
  ['asc', 'asc'],
  ['ascending', 'asc'],
  ['oldest first', 'asc'],
  ['升序', 'asc'],
  ['desc', 'desc'],
  ['descending', 'desc'],
  ['newest first', 'desc'],
  ['降序', 'desc'],
];

function match<T>(names: readonly [string, T][], value: string): T | undefined {
  const wanted = normalise(value);
  return names.find(([name]) => name === wanted || name.replace(/ /g, '') === wanted.replace(/ /g, ''))?.[1];
}

export const statusOf = (value: string): ClaimStatus | undefined => match(STATUS_NAMES, value);

/** A product by id or by its catalogue name, any case. */
function productOf(value: string): string | undefined {
  const wanted = normalise(value);
  if (productCatalogue.find(wanted.replace(/ /g, '-'))) return wanted.replace(/ /g, '-');
  for (const area of SOLUTION_AREAS) for (const p of productCatalogue.products(area)) if (normalise(p.name) === wanted) return p.id;
  return undefined;
}

/** "All …" in a form's choice, or typed; "default" is the form's "the list's own order". */
const ALL = /^(all|any|all statuses|所有状态|全部|所有|default)$/i;

/** "2026-03-01", "2026/3/1" or "2026年3月1日" as YYYY-MM-DD; undefined when it is no date. */
function dateOf(value: string): string | undefined {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(value.trim());
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  return isValidIsoDate(iso) ? iso : undefined;
}

/** The sort as its field's words ("deadline asc"). */
export function sortWords(sort: ListSort): string {
  return `${sort.key} ${sort.direction}`;
}

/**
 * Checks flat filter fields (from the form, a button or typed words) and makes the filter; the first
 * value that can't be used is named with what is expected. Empty fields and "all" are no filter.
 */
export function readListFilter(fields: FilterFields): FilterResult {
  const filter: ListFilter = {};
  const given = (v: string | undefined) => (typeof v === 'string' && v.trim() && !ALL.test(v.trim()) ? v.trim() : undefined);
  const bad = (message: MessageKey, params: FilterProblem['params']): FilterResult => ({ ok: false, problem: { message, params } });
  const status = given(fields.filterStatus);
  if (status) {
    filter.status = statusOf(status);
    if (!filter.status) return bad('list.badStatus', { value: status.slice(0, 40), allowed: CLAIM_STATUSES.map((s) => `@status.${s}`) });
  }
  const area = given(fields.filterArea);
  if (area) {
    filter.solutionArea = match(AREA_NAMES, area);
    if (!filter.solutionArea) return bad('filter.badArea', { value: area.slice(0, 40), allowed: SOLUTION_AREAS.map((a) => `@area.${a}`) });
  }
  const activity = given(fields.filterActivity);
  if (activity) {
    filter.activity = match(ACTIVITY_NAMES, activity);
    if (!filter.activity) return bad('filter.badActivity', { value: activity.slice(0, 40), allowed: ACTIVITIES.map((a) => `@activity.${a}`) });
  }
  const mpn = given(fields.filterMpn);
  if (mpn) {
    if (!MPN_PATTERN.test(mpn)) return bad('filter.badMpn', { value: mpn.slice(0, 40) });
    filter.mpnId = mpn;
  }
  const product = given(fields.filterProduct);
  if (product) {
    filter.product = productOf(product);
    if (!filter.product) return bad('filter.badProduct', { value: product.slice(0, 40) });
  }
  const text = fields.filterCustomer?.trim();
  if (text) {
    if (text.length > MAX_FILTER_TEXT) return bad('list.textTooLong', { max: MAX_FILTER_TEXT });
    filter.text = text;
  }
  for (const [field, key, label] of [
    ['filterCreatedFrom', 'createdFrom', 'filter.label.createdFrom'],
    ['filterCreatedTo', 'createdTo', 'filter.label.createdTo'],
    ['filterUpdatedFrom', 'updatedFrom', 'filter.label.updatedFrom'],
    ['filterUpdatedTo', 'updatedTo', 'filter.label.updatedTo'],
  ] as const) {
    const value = given(fields[field]);
    if (!value) continue;
    const date = dateOf(value);
    if (!date) return bad('filter.badDate', { field: `@${label}`, value: value.slice(0, 40) });
    filter[key] = date;
  }
  for (const [from, to, label] of [
    ['createdFrom', 'createdTo', 'filter.label.created'],
    ['updatedFrom', 'updatedTo', 'filter.label.updated'],
  ] as const) {
    const a = filter[from];
    const b = filter[to];
    if (a && b && a > b) return bad('filter.badRange', { field: `@${label}`, from: a, to: b });
  }
  const sort = given(fields.filterSort);
  if (sort) {
    const words = normalise(sort);
    const direction = DIRECTION_NAMES.find(([name]) => words === name || words.endsWith(` ${name}`) || words.endsWith(name));
    const keyWords = direction ? words.slice(0, words.length - direction[0].length).trim() : words;
    const key = match(SORT_NAMES, keyWords);
    if (!key) return bad('filter.badSort', { value: sort.slice(0, 40) });
    filter.sort = { key, direction: direction?.[1] ?? NATURAL_DIRECTION[key] };
  }
  return { ok: true, filter };
}

/** The filter as flat fields again: what a button carries and the form shows. */
export function filterFields(filter: ListFilter): FilterFields {
  return {
    filterStatus: filter.status ?? 'all',
    filterArea: filter.solutionArea ?? 'all',
    filterActivity: filter.activity ?? 'all',
    filterMpn: filter.mpnId ?? '',
    filterProduct: filter.product ?? 'all',
    filterCustomer: filter.text ?? '',
    filterCreatedFrom: filter.createdFrom ?? '',
    filterCreatedTo: filter.createdTo ?? '',
    filterUpdatedFrom: filter.updatedFrom ?? '',
    filterUpdatedTo: filter.updatedTo ?? '',
    filterSort: filter.sort ? sortWords(filter.sort) : 'default',
  };
}

export function isFiltered(filter: ListFilter): boolean {
  return Object.entries(filter).some(([key, value]) => key !== 'sort' && value !== undefined);
}

/**
 * The filter words people type, in both languages: a keyword names the field, the words up to the next
 * keyword are its value (`status under review area microsoft 365 sort deadline desc`); `field:value` works
 * too. Date fields take "from … to …", "a..b", "since a", "before b" or one day.
 */
const KEYWORDS: [string, keyof FilterFields | 'created' | 'updated'][] = [
  ['solution area', 'filterArea'],
  ['area', 'filterArea'],
  ['解决方案领域', 'filterArea'],
  ['解决方案区域', 'filterArea'],
  ['领域', 'filterArea'],
  ['区域', 'filterArea'],
  ['status', 'filterStatus'],
  ['状态', 'filterStatus'],
  ['activity', 'filterActivity'],
  ['活动', 'filterActivity'],
  ['mpn id', 'filterMpn'],
  ['mpn', 'filterMpn'],
  ['product', 'filterProduct'],
  ['产品', 'filterProduct'],
  ['customer', 'filterCustomer'],
  ['domain', 'filterCustomer'],
  ['tenant', 'filterCustomer'],
  ['tenant id', 'filterCustomer'],
  ['客户', 'filterCustomer'],
  ['域名', 'filterCustomer'],
  ['租户', 'filterCustomer'],
  ['created', 'created'],
  ['创建', 'created'],
  ['创建于', 'created'],
  ['updated', 'updated'],
  ['更新', 'updated'],
  ['更新于', 'updated'],
  ['sort by', 'filterSort'],
  ['sort', 'filterSort'],
  ['order by', 'filterSort'],
  ['排序', 'filterSort'],
  ['排序方式', 'filterSort'],
];
// Longest first, so "solution area" wins over "area" and "sort by" over "sort".
KEYWORDS.sort((a, b) => b[0].length - a[0].length);
/** Chinese is written without spaces: its keywords are found inside words, the longest first. */
const CHINESE_KEYWORDS = new RegExp(
  KEYWORDS.map(([k]) => k)
    .filter((k) => /[^\x00-\x7f]/.test(k))
    .join('|'),
  'g',
);

export type WordsResult =
  | { ok: true; fields: FilterFields; /** Words before any keyword: a leading status and free text, as before keywords existed. */ rest: string }
  | { ok: false; problem: FilterProblem };

/** Splits typed filter words into fields. A keyword without a value is named with what it expects. */
export function filterWords(typed: string): WordsResult {
  // "状态:已批准", "status: approved" and "状态已批准" all become "状态 已批准".
  const text = typed.replace(/[:：]/g, ' ').replace(CHINESE_KEYWORDS, ' $& ').replace(/\s+/g, ' ').trim();
  const words = text.split(' ').filter(Boolean);
  const segments: { field: (typeof KEYWORDS)[number][1]; keyword: string; words: string[] }[] = [];
  const free: string[] = [];
  for (let i = 0; i < words.length;) {
    // A keyword right after another is that one's value: "sort updated", "sort status desc".
    const awaiting = segments.length > 0 && segments[segments.length - 1].words.length === 0;
    const found =
      !awaiting &&
      KEYWORDS.find(([k]) => {
        const n = k.split(' ').length;
        return (
          words
            .slice(i, i + n)
            .join(' ')
            .toLowerCase() === k
        );
      });
    if (found) {
      segments.push({ field: found[1], keyword: found[0], words: [] });
      i += found[0].split(' ').length;
      continue;
    }
    (segments.length ? segments[segments.length - 1].words : free).push(words[i]);
    i++;
  }
  const fields: FilterFields = {};
  for (const { field, keyword, words: valueWords } of segments) {
    const value = valueWords.join(' ').replace(/^"|"$/g, '').trim();
    if (!value) return { ok: false, problem: { message: 'filter.missingValue', params: { keyword } } };
    if (field === 'created' || field === 'updated') {
      const range = dateRange(value);
      if (!range) return { ok: false, problem: { message: 'filter.badDate', params: { field: `@filter.label.${field}`, value: value.slice(0, 40) } } };
      const cap = field === 'created' ? 'Created' : 'Updated';
      if (range.from) fields[`filter${cap}From`] = range.from;
      if (range.to) fields[`filter${cap}To`] = range.to;
    } else fields[field] = value;
  }
  return { ok: true, fields, rest: free.join(' ') };
}

/** "from a to b", "a..b", "a ~ b", "a 至 b", "since a", "after a", "before b", "until b", or "a" (that day). */
function dateRange(value: string): { from?: string; to?: string } | undefined {
  const v = value.trim().toLowerCase();
  let m = /^(?:from |从)?\s*(.+?)\s*(?:\.\.|~|～| to | until |至|到|—|–)\s*(.+)$/.exec(v);
  if (m) return { from: m[1], to: m[2] };
  m = /^(?:since|after|from|从|自)\s*(.+?)(?:起|以来|之后)?$/.exec(v) ?? /^(.+?)\s*(?:起|以来|之后)$/.exec(v);
  if (m) return { from: m[1] };
  m = /^(?:before|until|到|截至)\s*(.+?)(?:前|之前)?$/.exec(v) ?? /^(.+?)\s*(?:之前|以前)$/.exec(v);
  if (m) return { to: m[1] };
  return v ? { from: v, to: v } : undefined;
}
