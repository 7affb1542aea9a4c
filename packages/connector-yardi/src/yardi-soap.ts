import {
  ErrorCodes,
  LedgerlinkError,
  parseRetryAfter,
  type ErpAnswer,
  type HttpClient,
  type HttpResponse,
  type LaneSignals,
} from '@ledgerlink/core';
import type { YardiConfig } from './config.js';
import { matchesRule } from './yardi-messages.js';
import { buildXml, child, childText, parseXml, textOf, XmlParseError, type XmlNode } from './yardi-xml.js';

const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

/** A method's own parameters, in WSDL order; `undefined` leaves the element out. */
export type SoapParams = [name: string, value: string | undefined][];

/**
 * Yardi's .asmx service for Vendor Invoicing: one SOAP 1.1 POST per call, every call carrying the seven login
 * fields in its body (Yardi keeps no session). Failures are thrown as coded errors that say what to do:
 * `LL_ERP_AUTH` (a Fault about the login or licence), `LL_ERP_THROTTLED` (HTTP 429, or 503 "Server Too Busy"),
 * `LL_ERP_SERVER_ERROR` (any other Fault or 5xx), `LL_ERP_PROTOCOL` (an answer the client cannot read). A lost
 * answer is core's `HttpTransportError`, thrown on unchanged.
 */
export class YardiSoap {
  constructor(
    private readonly config: YardiConfig,
    private readonly http: HttpClient,
    private readonly lane: LaneSignals,
    private readonly now: () => Date,
  ) {}

  /** Calls `method` and returns its `<method>Result` element. */
  async call(method: string, params: SoapParams): Promise<XmlNode> {
    const response = await this.http({
      method: 'POST',
      url: this.config.url,
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        soapaction: `"${this.config.namespace.replace(/\/+$/, '')}/${method}"`,
      },
      body: this.envelope(method, params),
    });
    return this.resultOf(method, response);
  }

  /** The request envelope: credentials first, as every Yardi interface method declares them. */
  envelope(method: string, params: SoapParams): string {
    const { config } = this;
    const login: SoapParams = [
      ['UserName', config.userName],
      ['Password', config.password],
      ['ServerName', config.serverName],
      ['Database', config.database],
      ['Platform', config.platform],
      ['InterfaceEntity', config.interfaceEntity],
      ['InterfaceLicense', config.interfaceLicense],
    ];
    const body: Record<string, unknown> = { '@_xmlns': config.namespace };
    for (const [name, value] of [...login, ...params]) if (value !== undefined) body[name] = value;
    return buildXml({
      'soap:Envelope': {
        '@_xmlns:soap': SOAP_NS,
        '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
        '@_xmlns:xsd': 'http://www.w3.org/2001/XMLSchema',
        'soap:Body': { [method]: body },
      },
    });
  }

  private resultOf(method: string, response: HttpResponse): XmlNode {
    const { status } = response;
    if (status === 429 || status === 503) throw this.throttled(method, response);
    let envelope;
    try {
      envelope = parseXml(response.body);
    } catch (error) {
      if (status >= 500) throw serverError(method, { httpStatus: status, message: excerpt(response.body) }, error);
      if (status !== 200) throw protocolError(method, status, `HTTP ${status} without a SOAP answer: check url (the Vendor Invoicing .asmx service)`);
      throw protocolError(method, status, error instanceof XmlParseError ? error.message : String(error));
    }
    const body = child(child(envelope, 'Envelope'), 'Body');
    const fault = child(body, 'Fault');
    if (fault !== undefined) throw this.faultError(method, status, fault);
    if (status !== 200) {
      if (status >= 500) throw serverError(method, { httpStatus: status, message: excerpt(response.body) });
      throw protocolError(method, status, `HTTP ${status}: check the url (the Vendor Invoicing .asmx service)`);
    }
    const result = child(child(body, `${method}Response`), `${method}Result`);
    if (result === undefined) throw protocolError(method, status, `the answer holds no ${method}Result`);
    return result;
  }

  private faultError(method: string, status: number, fault: XmlNode): LedgerlinkError {
    const code = textOf(child(fault, 'faultcode'))?.trim();
    const message = textOf(child(fault, 'faultstring'))?.trim() || '(a SOAP Fault without a faultstring)';
    const detailCode = childText(child(fault, 'detail'), 'ErrorCode')?.trim();
    // A detail code (where Yardi gives one) says more than the SOAP faultcode (`soap:Client`/`soap:Server`).
    const erpCode = detailCode || code;
    const erp: ErpAnswer = { message, httpStatus: status, ...(erpCode ? { code: erpCode } : {}) };
    if (matchesRule(this.config.messageRules.authentication, detailCode, message)) {
      return new LedgerlinkError(
        ErrorCodes.ERP_AUTH,
        `Yardi refused the login for ${method} (${message}): check userName, password, serverName, database, ` +
          'interfaceEntity and interfaceLicense (the interface licence must cover Vendor Invoicing)',
        { details: { erp } },
      );
    }
    return serverError(method, erp);
  }

  private throttled(method: string, response: HttpResponse): LedgerlinkError {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], this.now().getTime());
    // The lane pauses by itself on 429 and on 503 with Retry-After; a bare 503 is signalled here.
    if (response.status === 503 && retryAfterMs === undefined) this.lane.throttled();
    let message = `HTTP ${response.status}`;
    try {
      const fault = child(child(child(parseXml(response.body), 'Envelope'), 'Body'), 'Fault');
      message = textOf(child(fault, 'faultstring'))?.trim() || message;
    } catch {
      // A throttle answer need not be XML (IIS answers 503 in HTML): the status is enough.
    }
    return new LedgerlinkError(ErrorCodes.ERP_THROTTLED, `Yardi throttled ${method} (${message}); it is retried after a pause`, {
      disposition: 'retryable',
      details: { erp: { message, httpStatus: response.status }, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
    });
  }
}

function serverError(method: string, erp: ErpAnswer, cause?: unknown): LedgerlinkError {
  return new LedgerlinkError(ErrorCodes.ERP_SERVER_ERROR, `Yardi failed on ${method} (${erp.code ?? `HTTP ${erp.httpStatus ?? '?'}`} ${erp.message}); it is retried`, {
    disposition: 'retryable',
    details: { erp },
    ...(cause === undefined ? {} : { cause }),
  });
}

function protocolError(method: string, status: number, what: string): LedgerlinkError {
  return new LedgerlinkError(ErrorCodes.ERP_PROTOCOL, `Yardi's answer to ${method} cannot be read (HTTP ${status}): ${what}`, {
    details: { httpStatus: status },
  });
}

/** The start of a body for a message: never the request, so never a credential. */
function excerpt(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat || '(empty body)';
}
