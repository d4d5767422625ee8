import { actorRef, type Actor } from '../src/domain/actors';
import { MAX_POE_FILES, type PoeFile } from '../src/domain/claim';
import { type Locale, type MessageKey } from '../src/i18n/locales';
import { t } from '../src/i18n/teamsMarkdown';
import type { Logger } from '../src/logger';
import type { AppServices } from '../src/services/services';
import { intakeAttachment, judgePoeData, type IncomingAttachment } from '../src/services/poe/poeFileIntake';
import { poeDownloadPolicy } from '../src/services/poe/poeDownloadPolicy';
import { formatBytes, kindLabel } from './claimDialog/claimFormSteps';

/**
 * Files a partner attached in chat, judged by their content and stored in Blob Storage for one claim
 * (the claim form's PoE step, a dispute). Returns the accepted files and one line per file for the
 * person: added, or why not. Each accepted file is then read (poeReadings) in the background.
 */
export async function takePoeFiles(
  services: Pick<AppServices, 'clock' | 'config' | 'ownPorts' | 'poe' | 'poeReadings'>,
  log: Logger,
  input: {
    claimId: string;
    actor: Actor;
    /** Files attached in chat, or (the local demo's sample PoE) a file's content at hand. */
    attachments: (IncomingAttachment | { name: string; data: Buffer })[];
    locale: Locale;
    /** Files the claim (and the form) already hold. */
    held: number;
  },
): Promise<{ accepted: PoeFile[]; lines: string[] }> {
  const accepted: PoeFile[] = [];
  const lines: string[] = [];
  const policy = poeDownloadPolicy({ anonymous: services.config.bot.anonymous, hosts: services.config.poeDownloadHosts }, services.ownPorts);
  const options = { maxBytes: services.config.maxPoeBytes, policy };
  for (const attachment of input.attachments) {
    if (input.held + accepted.length >= MAX_POE_FILES) {
      // Not even downloaded: the claim is full, and the person is told per file.
      lines.push(t(input.locale, 'dialog.poe.refused.tooMany', { name: attachment.name ?? '-', max: MAX_POE_FILES }));
      continue;
    }
    const intake = 'data' in attachment ? await judgePoeData(attachment.name, attachment.data) : await intakeAttachment(attachment, options);
    if (!intake.ok) {
      lines.push(t(input.locale, `dialog.poe.refused.${intake.reason}` as MessageKey, { name: intake.name, max: services.config.maxPoeBytes / (1024 * 1024) }));
      if (intake.detail) log.warn(`PoE ${intake.name} for ${input.claimId} refused (${intake.reason}): ${intake.detail}`);
      continue;
    }
    const stored = await services.poe.upload({ claimId: input.claimId, fileName: intake.name, contentType: intake.contentType, data: intake.data });
    const file: PoeFile = {
      id: `${input.claimId}-${stored.sha256.slice(0, 12)}-${Date.now().toString(36)}`,
      fileName: intake.name,
      ...stored,
      uploadedAt: services.clock.now().toISOString(),
      uploadedBy: actorRef(input.actor),
      ...(intake.email ? { email: intake.email } : {}),
    };
    accepted.push(file);
    // Read off the turn, from the bytes in hand: the pre-check and the review card get the text without reading the file again.
    services.poeReadings.readLater(file, intake.data);
    lines.push(t(input.locale, 'dialog.poe.accepted', { name: intake.name, kind: kindLabel(intake.contentType), size: formatBytes(intake.data.length) }));
  }
  return { accepted, lines };
}
