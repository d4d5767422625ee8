/**
 * What the bot could read out of one PoE file: the text per page, signature and form fields, and for a
 * customer approval e-mail its header. Readers (src/services/poe reading) produce it off the turn; the
 * pre-check rules (src/domain) take it with the claim's facts and never touch the bytes themselves.
 */

export type PoeDocumentKind = 'pdf' | 'docx' | 'email' | 'image';

/** Why a file's text could not be read; the checklist names it instead of failing the upload. */
export type PoeUnreadableReason =
  | 'image' // images are checked by a reviewer, not read
  | 'encrypted'
  | 'corrupt'
  | 'noText'
  | 'timeLimit'
  | 'tooLarge'
  | 'unsupported';

export interface PoeDocumentPage {
  /** 1-based; a Word document or an e-mail body is page 1. */
  number: number;
  text: string;
}

export interface PoeSignature {
  /** Digital signature field (PDF /Sig) name, when the file has one. */
  field?: string;
  signer?: string;
  /** ISO 8601, when the signature carries a signing time. */
  signedAt?: string;
  page?: number;
}

export interface PoeFormField {
  name: string;
  value: string;
  page?: number;
}

export interface PoeEmailHeader {
  /** Display name and address of the sender as written in the message. */
  fromName?: string;
  fromAddress?: string;
  to: string[];
  /** ISO 8601. */
  sentAt?: string;
  subject?: string;
  attachments: { fileName: string; contentType?: string; size: number }[];
}

export interface PoeDocument {
  fileName: string;
  kind: PoeDocumentKind;
  /** False when nothing could be read; `unreadable` then says why. */
  readable: boolean;
  unreadable?: PoeUnreadableReason;
  pages: PoeDocumentPage[];
  signatures: PoeSignature[];
  formFields: PoeFormField[];
  email?: PoeEmailHeader;
}
