/**
 * Which hosts a PoE link may be downloaded from, as configuration writes them (POE_DOWNLOAD_HOSTS):
 * read by the configuration and by the download rule (src/services/poe/poeDownloadPolicy.ts).
 */

/** The hosts Teams keeps chat files on: SharePoint and OneDrive for Business (and their download redirects). */
export const DEFAULT_POE_DOWNLOAD_HOSTS = ['*.sharepoint.com', '*.sharepoint-df.com', '*.svc.ms'];

/** "files.contoso.com" or "*.contoso.com" (any name below contoso.com, not contoso.com itself). */
export const HOST_PATTERN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
