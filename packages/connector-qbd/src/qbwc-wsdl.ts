/**
 * The QuickBooks Web Connector's service description, written from Intuit's published QBWebConnectorSvc
 * contract: SOAP 1.1, document/literal, namespace `http://developer.intuit.com/`, SOAPAction
 * `http://developer.intuit.com/<method>`. The Web Connector has its own compiled proxy of this contract; the
 * names and the namespace must match it exactly.
 */
export const QBWC_NAMESPACE = 'http://developer.intuit.com/';

/** Each operation: its request parameters (in order, with XSD types) and its result type. */
const OPERATIONS: [string, [string, string][], string][] = [
  ['serverVersion', [], 's:string'],
  ['clientVersion', [['strVersion', 's:string']], 's:string'],
  ['authenticate', [['strUserName', 's:string'], ['strPassword', 's:string']], 'tns:ArrayOfString'],
  [
    'sendRequestXML',
    [
      ['ticket', 's:string'],
      ['strHCPResponse', 's:string'],
      ['strCompanyFileName', 's:string'],
      ['qbXMLCountry', 's:string'],
      ['qbXMLMajorVers', 's:int'],
      ['qbXMLMinorVers', 's:int'],
    ],
    's:string',
  ],
  ['receiveResponseXML', [['ticket', 's:string'], ['response', 's:string'], ['hresult', 's:string'], ['message', 's:string']], 's:int'],
  ['connectionError', [['ticket', 's:string'], ['hresult', 's:string'], ['message', 's:string']], 's:string'],
  ['getLastError', [['ticket', 's:string']], 's:string'],
  ['closeConnection', [['ticket', 's:string']], 's:string'],
  ['getInteractiveURL', [['wcTicket', 's:string'], ['sessionID', 's:string']], 's:string'],
  ['interactiveDone', [['wcTicket', 's:string']], 's:string'],
  ['interactiveRejected', [['wcTicket', 's:string'], ['reason', 's:string']], 's:string'],
];

/** The operation names, for the service implementation's exhaustiveness. */
export const QBWC_OPERATIONS = OPERATIONS.map(([name]) => name);

function elements(): string {
  return OPERATIONS.map(([name, params, result]) => {
    const request = params.map(([param, type]) => {
      const occurs = type === 's:int' ? 'minOccurs="1" maxOccurs="1"' : 'minOccurs="0" maxOccurs="1"';
      return `<s:element ${occurs} name="${param}" type="${type}"/>`;
    });
    const resultOccurs = result === 's:int' ? 'minOccurs="1" maxOccurs="1"' : 'minOccurs="0" maxOccurs="1"';
    return (
      `<s:element name="${name}"><s:complexType><s:sequence>${request.join('')}</s:sequence></s:complexType></s:element>` +
      `<s:element name="${name}Response"><s:complexType><s:sequence>` +
      `<s:element ${resultOccurs} name="${name}Result" type="${result}"/>` +
      `</s:sequence></s:complexType></s:element>`
    );
  }).join('');
}

function messagesAndOperations(): { messages: string; portType: string; binding: string } {
  const messages = OPERATIONS.map(
    ([name]) =>
      `<wsdl:message name="${name}SoapIn"><wsdl:part name="parameters" element="tns:${name}"/></wsdl:message>` +
      `<wsdl:message name="${name}SoapOut"><wsdl:part name="parameters" element="tns:${name}Response"/></wsdl:message>`,
  ).join('');
  const portType = OPERATIONS.map(
    ([name]) =>
      `<wsdl:operation name="${name}"><wsdl:input message="tns:${name}SoapIn"/><wsdl:output message="tns:${name}SoapOut"/></wsdl:operation>`,
  ).join('');
  const binding = OPERATIONS.map(
    ([name]) =>
      `<wsdl:operation name="${name}"><soap:operation soapAction="${QBWC_NAMESPACE}${name}" style="document"/>` +
      '<wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>',
  ).join('');
  return { messages, portType, binding };
}

/**
 * The WSDL document the SOAP server is built from. Built from constant names only (no runtime values), so no
 * escaping is involved; `location` is the public address the Web Connector reaches.
 */
export function qbwcWsdl(location: string): string {
  if (/["<>&]/.test(location)) throw new Error(`not a usable service address: ${location}`);
  const { messages, portType, binding } = messagesAndOperations();
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<wsdl:definitions xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:s="http://www.w3.org/2001/XMLSchema" ` +
    `xmlns:tns="${QBWC_NAMESPACE}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" targetNamespace="${QBWC_NAMESPACE}">` +
    `<wsdl:types><s:schema elementFormDefault="qualified" targetNamespace="${QBWC_NAMESPACE}">` +
    elements() +
    '<s:complexType name="ArrayOfString"><s:sequence>' +
    '<s:element minOccurs="0" maxOccurs="unbounded" name="string" nillable="true" type="s:string"/>' +
    '</s:sequence></s:complexType>' +
    '</s:schema></wsdl:types>' +
    messages +
    `<wsdl:portType name="QBWebConnectorSvcSoap">${portType}</wsdl:portType>` +
    `<wsdl:binding name="QBWebConnectorSvcSoap" type="tns:QBWebConnectorSvcSoap">` +
    '<soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>' +
    binding +
    '</wsdl:binding>' +
    '<wsdl:service name="QBWebConnectorSvc"><wsdl:port name="QBWebConnectorSvcSoap" binding="tns:QBWebConnectorSvcSoap">' +
    `<soap:address location="${location}"/></wsdl:port></wsdl:service>` +
    '</wsdl:definitions>'
  );
}
