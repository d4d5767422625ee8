import ExcelJS from 'exceljs';
import { TZDate } from '@date-fns/tz';
import type { ClaimDeadlines } from '../../domain/claim';
import { runningDeadlines, type TimeContext } from '../../domain/deadlinePolicy';
import { productCatalogue } from '../../domain/productCatalogue';
import { t } from '../../i18n/locales';
import type { Locale, MessageKey } from '../../i18n/locales';
import type { ExportRow } from '../../storage/claimListings';

/**
 * A list of claims as a file for the weekly meeting: an Excel workbook (or CSV), one row per claim,
 * with every field of Partner Center's customer associations table, the status, every deadline and
 * the days left to the next one. Dates are real Excel dates showing the business time zone's wall
 * time (the header names the zone); the header row is in the person's language. Nothing here keeps the
 * file: it is built when it is sent.
 */

export type ExportFormat = 'xlsx' | 'csv';

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv',
};

export interface ExportFile {
  fileName: string;
  format: ExportFormat;
  content: Buffer;
  rows: number;
}

type Cell = string | number | Date | null;
interface Column {
  header: string;
  /** A date column: written as an Excel date in the business time zone. */
  date?: boolean;
  width: number;
  value: (row: ExportRow) => Cell;
}

const DEADLINE_NAMES: (keyof ClaimDeadlines)[] = ['reviewStart', 'reviewDecision', 'decisionTarget', 'partnerResponse', 'consentEnds', 'disputeWindowEnds'];

/** The columns, in Partner Center's order first (ids, customer, solution, products, contacts), then the bot's (status, dates, deadlines). */
function columns(locale: Locale, ctx: TimeContext, orgName: (orgId: string) => string): Column[] {
  const label = (key: MessageKey) => t(locale, key);
  const dated = (key: MessageKey) => t(locale, 'export.col.dateSuffix', { label: label(key), timeZone: ctx.calendar.timeZone });
  const next = (row: ExportRow) => runningDeadlines(ctx, row.deadlines)[0];
  const text = (v: string | undefined) => v ?? null;
  return [
    { header: label('export.col.claimId'), width: 14, value: (r) => r.id },
    { header: label('field.claimName'), width: 30, value: (r) => text(r.fields.claimName) },
    {
      header: label('claimCard.fact.status'),
      width: 22,
      value: (r) => t(locale, r.disputed && r.status === 'UnderReview' ? 'list.row.disputed' : `status.${r.status}`, { status: `@status.${r.status}` }),
    },
    { header: label('export.col.organisation'), width: 26, value: (r) => orgName(r.orgId) },
    { header: label('field.mpnId'), width: 12, value: (r) => text(r.fields.mpnId) },
    { header: label('field.customerDomain'), width: 26, value: (r) => text(r.fields.customerDomain) },
    { header: label('field.customerTenantId'), width: 38, value: (r) => text(r.fields.customerTenantId) },
    { header: label('field.solutionArea'), width: 22, value: (r) => (r.fields.solutionArea ? t(locale, `area.${r.fields.solutionArea}`) : null) },
    { header: label('field.activity'), width: 22, value: (r) => (r.fields.activity ? t(locale, `activity.${r.fields.activity}` as MessageKey) : null) },
    {
      header: label('field.products'),
      width: 36,
      value: (r) => (r.fields.products ?? []).map((id) => productCatalogue.find(id)?.name ?? id).join('; ') || null,
    },
    { header: label('field.subscriptions'), width: 38, value: (r) => (r.fields.subscriptions ?? []).map((s) => s.subscriptionId).join('; ') || null },
    { header: label('field.customerContact.name'), width: 22, value: (r) => text(r.fields.customerContact?.name) },
    { header: label('field.customerContact.title'), width: 22, value: (r) => text(r.fields.customerContact?.title) },
    { header: label('field.customerContact.email'), width: 28, value: (r) => text(r.fields.customerContact?.email) },
    { header: label('field.technicalContact.name'), width: 22, value: (r) => text(r.fields.technicalContact?.name) },
    { header: label('field.technicalContact.title'), width: 22, value: (r) => text(r.fields.technicalContact?.title) },
    { header: label('field.technicalContact.email'), width: 28, value: (r) => text(r.fields.technicalContact?.email) },
    { header: label('field.partnerContact.name'), width: 22, value: (r) => text(r.fields.partnerContact?.name) },
    { header: label('field.partnerContact.email'), width: 28, value: (r) => text(r.fields.partnerContact?.email) },
    { header: label('field.revenueAssociation.solutionSellerName'), width: 24, value: (r) => text(r.fields.revenueAssociation?.solutionSellerName) },
    { header: label('field.revenueAssociation.customerName'), width: 24, value: (r) => text(r.fields.revenueAssociation?.customerName) },
    { header: label('field.revenueAssociation.isvSolutionName'), width: 24, value: (r) => text(r.fields.revenueAssociation?.isvSolutionName) },
    { header: dated('claimCard.fact.created'), date: true, width: 20, value: (r) => r.createdAt },
    { header: label('export.col.createdBy'), width: 22, value: (r) => text(r.createdByName) },
    { header: dated('claimCard.fact.submitted'), date: true, width: 20, value: (r) => text(r.submittedAt) },
    { header: dated('export.col.updated'), date: true, width: 20, value: (r) => r.updatedAt },
    { header: label('claimCard.fact.reviewer'), width: 22, value: (r) => text(r.reviewerName) },
    {
      header: label('export.col.nextDeadline'),
      width: 30,
      value: (r) => {
        const n = next(r);
        return n ? t(locale, `review.deadline.${n.name}` as MessageKey) : null;
      },
    },
    { header: dated('export.col.nextDeadlineDue'), date: true, width: 20, value: (r) => next(r)?.due ?? null },
    { header: label('export.col.daysLeft'), width: 10, value: (r) => next(r)?.daysLeft ?? null },
    {
      header: label('export.col.daysLeftUnit'),
      width: 14,
      value: (r) => {
        const n = next(r);
        return n ? t(locale, n.unit === 'days' ? 'export.unit.days' : 'export.unit.businessDays') : null;
      },
    },
    ...DEADLINE_NAMES.map((name): Column => ({
      header: dated(`review.deadline.${name}` as MessageKey),
      date: true,
      width: 20,
      value: (r) => r.deadlines[name] ?? null,
    })),
  ];
}

/**
 * An instant as the business time zone's wall time, carried in a Date's UTC fields: Excel dates have no
 * zone, and exceljs writes a Date's UTC fields, so the cell shows the local date and time.
 */
function wallTime(iso: string, timeZone: string): Date {
  const local = new TZDate(Date.parse(iso), timeZone);
  return new Date(Date.UTC(local.getFullYear(), local.getMonth(), local.getDate(), local.getHours(), local.getMinutes(), local.getSeconds()));
}

/** A CSV cell that Excel would read as a formula starts with a quote instead (CSV injection). */
function csvSafe(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export interface ExportRequest {
  rows: ExportRow[];
  format: ExportFormat;
  locale: Locale;
  ctx: TimeContext;
  /** An organisation's name by id (the roster's). */
  orgName: (orgId: string) => string;
  /** What the file is named for: "claims" or "queue". */
  baseName: string;
}

export async function buildExport(request: ExportRequest): Promise<ExportFile> {
  const { rows, format, locale, ctx } = request;
  const cols = columns(locale, ctx, request.orgName);
  const workbook = new ExcelJS.Workbook();
  workbook.created = ctx.now;
  const sheet = workbook.addWorksheet(t(locale, 'export.sheet'), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = cols.map((c, i) => ({ key: String(i), width: c.width, ...(c.date ? { style: { numFmt: 'yyyy-mm-dd hh:mm' } } : {}) }));
  const header = sheet.addRow(cols.map((c) => c.header));
  header.font = { bold: true };
  for (const row of rows) {
    sheet.addRow(
      cols.map((c) => {
        const value = c.value(row);
        if (c.date && typeof value === 'string') return wallTime(value, ctx.calendar.timeZone);
        return format === 'csv' && typeof value === 'string' ? csvSafe(value) : value;
      }),
    );
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: cols.length } };
  const stamp = ctx.calendar.localDateOf(ctx.now);
  const fileName = `cpor-${request.baseName}-${stamp}.${format}`;
  const content =
    format === 'xlsx'
      ? Buffer.from(await workbook.xlsx.writeBuffer())
      : // A byte-order mark, so Excel reads the UTF-8 (Chinese headers, names) as UTF-8.
        Buffer.from(await workbook.csv.writeBuffer({ dateFormat: 'YYYY-MM-DD HH:mm', dateUTC: true, formatterOptions: { writeBOM: true } }));
  return { fileName, format, content, rows: rows.length };
}
