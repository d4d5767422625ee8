import { MessageFactory, type Attachment, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { FILTER_FIELD_NAMES, filterFields, readListFilter, type FilterFields, type ListFilter } from '../../src/domain/claimListFilter';
import { resolveLocale, type Locale } from '../../src/i18n/locales';
import { t } from '../../src/i18n/teamsMarkdown';
import type { Logger } from '../../src/logger';
import type { AppServices } from '../../src/services/services';
import { buildExport, EXPORT_CONTENT_TYPES, type ExportFile, type ExportFormat } from '../../src/services/claims/claimExport';
import { ClaimQueries, MAX_EXPORT_ROWS, type Viewer } from '../../src/services/claims/claimQueries';
import { commandWords } from '../commands/chatCommands';

/**
 * Exports, the Teams way, in the person's 1:1 chat: a file consent card ("may I save this file to your
 * OneDrive?"); on accept Teams gives a one-time upload URL, the file is PUT there and a file card
 * follows; on decline a polite sentence. The file is not kept between the offer and the answer: the
 * offer carries the list and its filter (the consent card's context), and on accept the person is
 * authorized again (the router's policy check) and the file is built from the store as it is then.
 */

export const FILE_CONSENT_CARD = 'application/vnd.microsoft.teams.card.file.consent';
export const FILE_INFO_CARD = 'application/vnd.microsoft.teams.card.file.info';

export interface ExportRequest {
  list: 'mine' | 'queue';
  format: ExportFormat;
  filter: ListFilter;
}

/** What the consent card carries back: the request, and whom it was offered to. */
const offerContext = z.object({
  export: z.literal(1),
  list: z.enum(['mine', 'queue']),
  format: z.enum(['xlsx', 'csv']),
  requestedBy: z.string().max(128),
  filter: z.record(z.string(), z.string().max(200)),
});

/** The answer Teams sends (`fileConsent/invoke`). */
const consentAnswer = z.looseObject({
  action: z.enum(['accept', 'decline']),
  context: z.unknown(),
  uploadInfo: z
    .looseObject({
      uploadUrl: z.string().url().max(4096),
      contentUrl: z.string().max(4096).optional(),
      name: z.string().max(400).optional(),
      uniqueId: z.string().max(400).optional(),
      fileType: z.string().max(40).optional(),
    })
    .optional(),
});

/** Teams' upload URLs are https; plain http is taken on loopback only (a local stub). */
function uploadable(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname));
}

/** How long an upload may take before the person is told it failed. */
const UPLOAD_TIMEOUT_MS = 20_000;

export class ClaimExports {
  private readonly queries: ClaimQueries;

  constructor(
    private readonly services: Pick<AppServices, 'claims' | 'claimService' | 'cosmos' | 'rosters'>,
    private readonly log: Logger,
  ) {
    this.queries = ClaimQueries.fromServices(services);
  }

  /** "export my claims" / "export queue" (the router has checked the policy): the consent card, in a 1:1 chat only. */
  async offer(context: TurnContext, viewer: Viewer, request: ExportRequest): Promise<void> {
    const locale = resolveLocale(context.activity.locale);
    if ((context.activity.conversation?.conversationType ?? 'personal') !== 'personal') {
      await context.sendActivity(t(locale, 'export.personalOnly', { command: commandWords(locale, 'export') }));
      return;
    }
    // Built once to say how many claims and how big; dropped at once (it is built again on accept).
    const file = await this.build(viewer, request, locale);
    if (!file.rows) {
      await context.sendActivity(t(locale, 'export.none'));
      return;
    }
    const acceptContext = {
      export: 1,
      list: request.list,
      format: request.format,
      requestedBy: context.activity.from?.aadObjectId ?? '',
      filter: filterFields(request.filter),
    };
    const card: Attachment = {
      contentType: FILE_CONSENT_CARD,
      name: file.fileName,
      content: {
        description: t(locale, 'export.consent', { count: file.rows, format: request.format === 'csv' ? 'CSV' : 'Excel' }),
        sizeInBytes: file.content.length,
        acceptContext,
        declineContext: acceptContext,
      },
    };
    await context.sendActivity(MessageFactory.attachment(card));
    if (file.truncated) await context.sendActivity(t(locale, 'export.truncated', { max: MAX_EXPORT_ROWS }));
  }

  /**
   * The answer to the consent card. Accept: the file is built for the person answering (the router
   * has authorized them again), PUT to Teams' upload URL and announced with a file card. Decline: a
   * sentence. Either way the consent card is removed, as Microsoft's samples do (it does not update itself).
   */
  async answer(context: TurnContext, viewer: Viewer, value: unknown): Promise<void> {
    const locale = resolveLocale(context.activity.locale);
    const command = commandWords(locale, 'export');
    const parsed = consentAnswer.safeParse(value);
    const offer = parsed.success ? offerContext.safeParse(parsed.data.context) : undefined;
    if (!parsed.success || !offer?.success || offer.data.requestedBy !== (context.activity.from?.aadObjectId ?? '')) {
      await context.sendActivity(t(locale, 'export.offerInvalid', { command }));
      return;
    }
    await this.removeOffer(context);
    if (parsed.data.action === 'decline') {
      await context.sendActivity(t(locale, 'export.declined', { command }));
      return;
    }
    const upload = parsed.data.uploadInfo;
    const filter = readListFilter(
      Object.fromEntries(Object.entries(offer.data.filter).filter(([k]) => (FILTER_FIELD_NAMES as readonly string[]).includes(k))) as FilterFields,
    );
    if (!upload || !uploadable(upload.uploadUrl) || !filter.ok) {
      await context.sendActivity(t(locale, 'export.offerInvalid', { command }));
      return;
    }
    const file = await this.build(viewer, { list: offer.data.list, format: offer.data.format, filter: filter.filter }, locale);
    try {
      await this.upload(upload.uploadUrl, file);
    } catch (error) {
      this.log.warn(`An export could not be uploaded to the person's OneDrive (${(error as Error).message})`);
      await context.sendActivity(t(locale, 'export.failed', { command }));
      return;
    }
    const info: Attachment = {
      contentType: FILE_INFO_CARD,
      contentUrl: upload.contentUrl ?? '',
      name: upload.name ?? file.fileName,
      content: { uniqueId: upload.uniqueId ?? '', fileType: upload.fileType ?? file.format },
    };
    await context.sendActivity({
      ...MessageFactory.attachment(info),
      text: t(locale, 'export.uploaded', { fileName: upload.name ?? file.fileName, count: file.rows }),
    });
  }

  private async build(viewer: Viewer, request: ExportRequest, locale: Locale): Promise<ExportFile & { truncated: boolean }> {
    const { rows, truncated } = await this.queries.exportRows(viewer, request.list === 'queue' ? 'needsAction' : 'all', request.filter);
    const names = new Map<string, string>();
    for (const orgId of new Set(rows.map((r) => r.orgId))) names.set(orgId, (await this.services.rosters.organisation(orgId))?.name ?? orgId);
    const file = await buildExport({
      rows,
      format: request.format,
      locale,
      ctx: this.services.claimService.timeContext(),
      orgName: (id) => names.get(id) ?? id,
      baseName: request.list === 'queue' ? 'queue' : 'claims',
    });
    return { ...file, truncated };
  }

  /** One PUT of the whole file, with its byte range, as Teams' upload sessions take it. */
  private async upload(url: string, file: ExportFile): Promise<void> {
    const size = file.content.length;
    const response = await fetch(url, {
      method: 'PUT',
      headers: { 'Content-Type': EXPORT_CONTENT_TYPES[file.format], 'Content-Length': String(size), 'Content-Range': `bytes 0-${size - 1}/${size}` },
      body: file.content,
      signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`upload answered ${response.status}`);
  }

  private async removeOffer(context: TurnContext): Promise<void> {
    const id = context.activity.replyToId;
    if (!id) return;
    await context.deleteActivity(id).catch((error: Error) => this.log.warn(`Could not remove an answered file consent card (${error.message})`));
  }
}
