import type { Fact } from '../cardParts';

/** What the reviewCard template (./reviewCard.json) reads; ./reviewCard.sample.json is an example of it. */
export interface ReviewCardData {
  claimId: string;
  orgId: string;
  version: number;
  refreshUserIds: string[];
  title: string;
  subtitle: string;
  notice: string;
  noticeStyle: string;
  facts: Fact[];
  deadlines: Fact[];
  poe: string[];
  conflicts: {
    left: {
      heading: string;
      lines: string;
    };
    right: {
      heading: string;
      lines: string;
    };
  }[];
  comments: string[];
  lastAction: string;
  defaultRejectReason: string;
  rejectReasons: Fact[];
  infoReasons: Fact[];
  can: {
    open: boolean;
    startReview: boolean;
    approve: boolean;
    supersede: boolean;
    reject: boolean;
    requestInfo: boolean;
    comment: boolean;
    history: boolean;
  };
  labels: {
    refresh: string;
    deadlines: string;
    poe: string;
    conflicts: string;
    comments: string;
    startReview: string;
    approve: string;
    supersede: string;
    reject: string;
    reason: string;
    reasonRequired: string;
    comment: string;
    confirmReject: string;
    requestInfo: string;
    reasons: string;
    commentToPartner: string;
    commentRequired: string;
    sendRequest: string;
    commentButton: string;
    sendComment: string;
    history: string;
    openReview: string;
  };
}
