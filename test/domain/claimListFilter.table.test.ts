import { parseCommand } from '../../bot/commands/chatCommands';
import { filterWords, readListFilter } from '../../src/domain/claimListFilter';

/**
 * The typed filter words (Partner Center's filters and sorts) as a table: what a person types after
 * "my claims", "queue" or "export …", in English or Chinese, and the filter it becomes, or the sentence
 * naming the filter and what it expects.
 */

const listOf = (typed: string) => {
  const command = parseCommand(typed);
  if (command.kind === 'badInput') return { problem: command.message, params: command.params };
  return 'filter' in command ? command.filter : { kind: command.kind };
};

test.each([
  ['my claims', {}],
  ['my claims approved contoso', { status: 'Approved', text: 'contoso' }],
  ['my claims rejected (final)', { status: 'RejectedFinal' }],
  ['my claims status:approved customer:Teams adoption', { status: 'Approved', text: 'Teams adoption' }],
  [
    'my claims status approved area microsoft 365 sort deadline',
    { status: 'Approved', solutionArea: 'Microsoft365', sort: { key: 'deadline', direction: 'asc' } },
  ],
  [
    'my claims Status Under Review Solution Area Business Applications activity revenue association',
    { status: 'UnderReview', solutionArea: 'BusinessApplications', activity: 'RevenueAssociation' },
  ],
  ['my claims mpn 4412345 product Microsoft Teams', { mpnId: '4412345', product: 'teams' }],
  ['my claims product teams sort updated', { product: 'teams', sort: { key: 'updated', direction: 'desc' } }],
  ['my claims tenant 17171717-0000', { text: '17171717-0000' }],
  ['my claims created 2026-01-01..2026-03-31', { createdFrom: '2026-01-01', createdTo: '2026-03-31' }],
  [
    'my claims created from 2026-01-01 to 2026/3/31 sort created asc',
    { createdFrom: '2026-01-01', createdTo: '2026-03-31', sort: { key: 'created', direction: 'asc' } },
  ],
  ['my claims updated since 2026-06-01', { updatedFrom: '2026-06-01' }],
  ['my claims updated before 2026-06-30', { updatedTo: '2026-06-30' }],
  ['my claims created 2026-02-03', { createdFrom: '2026-02-03', createdTo: '2026-02-03' }],
  ['my claims sort status desc', { sort: { key: 'status', direction: 'desc' } }],
  ['我的声明 状态 已批准', { status: 'Approved' }],
  ['我的认领 状态 已批准', { status: 'Approved' }],
  [
    '我的声明 状态：已批准 区域 Microsoft 365 排序 截止时间 降序',
    { status: 'Approved', solutionArea: 'Microsoft365', sort: { key: 'deadline', direction: 'desc' } },
  ],
  ['我的声明 活动 售前 创建 从 2026-01-01', { activity: 'PreSales', createdFrom: '2026-01-01' }],
  ['我的声明 更新 2026年3月1日至2026年3月31日', { updatedFrom: '2026-03-01', updatedTo: '2026-03-31' }],
  ['queue status submitted sort created', { status: 'Submitted', sort: { key: 'created', direction: 'desc' } }],
  ['export my claims csv area m365', { solutionArea: 'Microsoft365' }],
])('%s', (typed, expected) => {
  expect(listOf(typed)).toEqual(expected);
});

test.each([
  ['my claims area security', 'filter.badArea', { value: 'security' }],
  ['my claims activity dancing', 'filter.badActivity', { value: 'dancing' }],
  ['my claims status sleeping', 'list.badStatus', { value: 'sleeping' }],
  ['my claims mpn 12ab', 'filter.badMpn', { value: '12ab' }],
  ['my claims product toaster', 'filter.badProduct', { value: 'toaster' }],
  ['my claims created yesterday', 'filter.badDate', { field: '@filter.label.createdFrom', value: 'yesterday' }],
  ['my claims created 2026-02-30', 'filter.badDate', { field: '@filter.label.createdFrom', value: '2026-02-30' }],
  ['my claims created 2026-03-01..2026-01-01', 'filter.badRange', { field: '@filter.label.created' }],
  ['my claims sort price', 'filter.badSort', { value: 'price' }],
  ['my claims status', 'filter.missingValue', { keyword: 'status' }],
  ['我的声明 状态', 'filter.missingValue', { keyword: '状态' }],
  ['queue contoso', 'filter.missingValue', { keyword: 'contoso' }],
])('%s is refused with what is expected', (typed, message, params) => {
  const got = listOf(typed) as { problem: string; params: Record<string, unknown> };
  expect(got.problem).toBe(message);
  expect(got.params).toMatchObject(params);
});

test('the export command: which list, which format', () => {
  expect(parseCommand('export my claims')).toMatchObject({ kind: 'export', list: 'mine', format: 'xlsx' });
  expect(parseCommand('export queue csv status under review')).toMatchObject({
    kind: 'export',
    list: 'queue',
    format: 'csv',
    filter: { status: 'UnderReview' },
  });
  expect(parseCommand('导出我的声明 状态 已批准')).toMatchObject({ kind: 'export', list: 'mine', filter: { status: 'Approved' } });
  expect(parseCommand('导出 评审队列')).toMatchObject({ kind: 'export', list: 'queue' });
  expect(parseCommand('我的声明状态已批准')).toMatchObject({ kind: 'myClaims', filter: { status: 'Approved' } });
  // English command words need their space: other words that start with them are not the command.
  expect(parseCommand('exporter').kind).not.toBe('export');
  expect(parseCommand('listing').kind).not.toBe('myClaims');
  // The list card's Export button: the form's inputs with the command.
  expect(parseCommand('export my claims', { filterStatus: 'Approved', filterArea: 'all', filterSort: 'deadline desc' })).toMatchObject({
    kind: 'export',
    filter: { status: 'Approved', sort: { key: 'deadline', direction: 'desc' } },
  });
});

test("the form's fields and the typed words end in the same check", () => {
  expect(readListFilter({ filterStatus: 'all', filterArea: 'Microsoft365', filterCreatedFrom: '2026-01-01', filterSort: '' })).toEqual({
    ok: true,
    filter: { solutionArea: 'Microsoft365', createdFrom: '2026-01-01' },
  });
  expect(filterWords('status approved contoso')).toEqual({ ok: true, fields: { filterStatus: 'approved contoso' }, rest: '' });
  // A form submit keeps the filters and starts at page 1; a Next button carries them with its page.
  expect(parseCommand('my claims', { filter: true, filterStatus: 'Submitted', filterMpn: '4412345', page: 3, starts: ['a', 'b'] })).toMatchObject({
    filter: { status: 'Submitted', mpnId: '4412345' },
    paging: { page: 1 },
  });
  expect(parseCommand('my claims', { filterStatus: 'Submitted', page: 2, starts: ['a'] })).toMatchObject({
    filter: { status: 'Submitted' },
    paging: { page: 2, starts: ['a'] },
  });
});
