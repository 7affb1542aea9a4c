import { XMLBuilder } from 'fast-xml-parser';

/** What the customer's .qwc file says: which service to call, as whom, and how often. */
export interface QwcOptions {
  /** Shown in the Web Connector's list of applications; also its key there (default "ledgerlink"). */
  appName?: string;
  /** The address the Web Connector calls: HTTPS, or http://localhost when on the same machine. */
  appUrl: string;
  /** The Web Connector user name (the connection's `username`). */
  username: string;
  /**
   * A GUID in braces that identifies the application to QuickBooks. Intuit asks for one OwnerID per
   * application, the same in every company file: default {@link LEDGERLINK_OWNER_ID}.
   */
  ownerId?: string;
  /** A GUID in braces that tags the company file for this application (keep it stable per company file). */
  fileId: string;
  /** Poll interval in seconds; written as RunEveryNSeconds (the Web Connector's minimum is 60 unless set lower here). */
  runEveryNSeconds?: number;
  /** Optional description, shown in the Web Connector. */
  description?: string;
  /** Support page for the application (the Web Connector requires one; it must share the AppURL's host). */
  supportUrl?: string;
  /** `QBFS` (QuickBooks Financial Software, the default) or `QBPOS`. */
  qbType?: 'QBFS' | 'QBPOS';
}

/**
 * ledgerlink's OwnerID: one per application (Intuit's rule for the .qwc's OwnerID), the same for every tenant and
 * deployment. Generated once for ledgerlink; never change it (QuickBooks keys the application's data by it).
 */
export const LEDGERLINK_OWNER_ID = '{6C1D3E0A-8F2B-4B7E-9A51-2D4C7E9B0F13}';

/** Why an address cannot be the .qwc's AppURL (the Web Connector needs HTTPS but for localhost), or null. */
export function appUrlProblem(appUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(appUrl);
  } catch {
    return `appUrl "${appUrl}" is not a URL`;
  }
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && url.hostname === 'localhost') return null;
  return `appUrl must be https:// (the Web Connector accepts plain http only for localhost), not ${url.protocol}//${url.hostname}`;
}

const GUID = /^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/i;

const builder = new XMLBuilder({ format: true, indentBy: '  ', processEntities: true });

/**
 * The Web Connector's application file (.qwc) the customer opens with "Add an application": QBWCXML with the
 * app's name, URL, user, owner and file ids, and its schedule. Built with an XML builder, so every value is
 * escaped. Throws with what to fix when a value would make the Web Connector refuse the file.
 */
export function renderQwc(options: QwcOptions): string {
  const problems: string[] = [];
  const urlProblem = appUrlProblem(options.appUrl);
  if (urlProblem !== null) problems.push(urlProblem);
  const ownerId = options.ownerId ?? LEDGERLINK_OWNER_ID;
  if (!GUID.test(ownerId)) problems.push('ownerId must be a GUID in braces, e.g. {57F3B9B1-86F1-4fcc-B1EE-566DE1813D20}');
  if (!GUID.test(options.fileId)) problems.push('fileId must be a GUID in braces, e.g. {90A44FB5-33D9-4815-AC85-BC87A7E7D1EB}');
  if (options.username.trim() === '') problems.push('username must not be empty');
  const seconds = options.runEveryNSeconds ?? 60;
  if (!Number.isInteger(seconds) || seconds < 1) problems.push(`runEveryNSeconds must be a whole number of seconds of at least 1, not ${seconds}`);
  if (problems.length > 0) throw new Error(`cannot write the .qwc file:\n  ${problems.join('\n  ')}`);

  const appUrl = new URL(options.appUrl);
  const document = {
    QBWCXML: {
      AppName: options.appName ?? 'ledgerlink',
      AppID: '',
      AppURL: appUrl.toString(),
      AppDescription: options.description ?? 'ledgerlink: Procore Pay payments to QuickBooks Desktop bill payment checks, and back',
      AppSupport: options.supportUrl ?? new URL('/support', appUrl).toString(),
      UserName: options.username,
      OwnerID: ownerId,
      FileID: options.fileId,
      QBType: options.qbType ?? 'QBFS',
      Scheduler: { RunEveryNSeconds: String(seconds) },
      IsReadOnly: 'false',
    },
  };
  return `<?xml version="1.0"?>\n${builder.build(document) as string}`;
}
