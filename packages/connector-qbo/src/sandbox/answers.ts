/**
 * The sandbox's answers in QuickBooks Online's own shapes: the JSON `Fault` envelope, the lower-case envelope of
 * a 401, and the XML `IntuitResponse` of a 429. Written from the wire format (erp-reference.md, section 2.6).
 */

export interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/** One error of a Fault; `element` is left out when QuickBooks would not name it. */
export interface FaultError {
  Message: string;
  Detail: string;
  code: string;
  element?: string;
}

/** QuickBooks prints times with an offset and no zone name; the sandbox keeps Pacific standard time. */
const OFFSET_MS = -8 * 3_600_000;

/** The wall-clock time at the sandbox's offset, as `YYYY-MM-DDTHH:MM:SS.mmm`. */
function pacific(date: Date): string {
  return new Date(date.getTime() + OFFSET_MS).toISOString().slice(0, 23);
}

/** `MetaData` times: whole seconds, so payments made in one second share a LastUpdatedTime. */
export function metaTime(date: Date): string {
  return `${pacific(date).slice(0, 19)}-08:00`;
}

/** The `time` of an answer envelope, with milliseconds. */
export function answerTime(date: Date): string {
  return `${pacific(date)}-08:00`;
}

export function json(status: number, value: unknown): Answer {
  return { status, contentType: 'application/json;charset=UTF-8', body: JSON.stringify(value) };
}

/** `{"Fault":{"Error":[…],"type":"ValidationFault"},"time":…}` with HTTP 400 unless told otherwise. */
export function fault(now: Date, errors: FaultError[], options: { status?: number; type?: string } = {}): Answer {
  return json(options.status ?? 400, { Fault: { Error: errors, type: options.type ?? 'ValidationFault' }, time: answerTime(now) });
}

/** A 401 as QuickBooks sends it for a missing, malformed or expired bearer token. */
export function unauthorized(now: Date, detail: string): Answer {
  return json(401, {
    warnings: null,
    intuitObject: null,
    fault: {
      error: [{ message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401', detail, code: '3200', element: null }],
      type: 'AUTHENTICATION',
    },
    time: now.getTime(),
  });
}

/** A 403: the token is good, but not for this company. */
export function forbidden(now: Date): Answer {
  return fault(
    now,
    [{ Message: 'message=AuthorizationFailed; errorCode=003100; statusCode=403', Detail: '', code: '3100' }],
    { status: 403, type: 'SERVICE' },
  );
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => XML_ESCAPES[character] ?? character);
}

/**
 * The throttle answer: HTTP 429 with an XML body even when JSON was asked for (beanworks/quickbooks-online-v3-sdk#6).
 * Its only variable part, the time, is escaped like every other value would be.
 */
export function throttled(now: Date): Answer {
  const body =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    `<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="${escapeXml(answerTime(now))}">` +
    '<Fault type="SERVICE"><Error code="3001">' +
    `<Message>${escapeXml('message=ThrottleExceeded; errorCode=003001; statusCode=429')}</Message>` +
    `<Detail>${escapeXml('The request limit was reached.  Try again later')}</Detail>` +
    '</Error></Fault></IntuitResponse>';
  return { status: 429, contentType: 'application/xml', body };
}

/** A server failure, as QuickBooks' generic system fault. */
export function serverFailure(now: Date): Answer {
  return fault(
    now,
    [
      {
        Message: 'An application error has occurred while processing your request',
        Detail: 'System Failure Error: An unexpected error occurred while accessing or saving your data.',
        code: '10000',
      },
    ],
    { status: 500, type: 'SystemFault' },
  );
}
