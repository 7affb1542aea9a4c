import { XMLBuilder } from 'fast-xml-parser';

/**
 * The sandbox's WSDL for Yardi's Vendor Invoicing interface, written for it: an .asmx-style SOAP 1.1
 * document/literal service. Every operation takes the seven login fields first, then its own parameters, all
 * strings; every result is an XML node (`<s:any/>`), as Yardi's interface methods return their documents. Only
 * the operations ledgerlink uses are declared. The namespace and service name follow Yardi's conventions [I].
 */
export const SANDBOX_NAMESPACE = 'http://tempuri.org/YSI.Interfaces.WebServices/ItfVendorInvoicing';
export const SANDBOX_SERVICE_PATH = '/webservices/ItfVendorInvoicing.asmx';

const LOGIN = ['UserName', 'Password', 'ServerName', 'Database', 'Platform', 'InterfaceEntity', 'InterfaceLicense'];

/** Each operation's own parameters, after the login fields. */
export const OPERATIONS: Record<string, string[]> = {
  ImportCheck_Login: ['CheckDoc'],
  GetCheckInvoice: ['CheckFromDate', 'CheckToDate', 'CheckNumber', 'BankId', 'YardiPropertyId', 'VendorId'],
  GetPayables2: ['YardiPropertyId', 'PayableId', 'InvoiceNumber', 'VendorId', 'CheckFromDate', 'CheckToDate', 'UnpaidOnly'],
  ImportPayable_Login: ['PayableDoc'],
  ImportVendors_Login: ['YardiPropertyId', 'XmlDoc'],
  GetVendors_Login: ['YardiPropertyId'],
  GetVendor_Login: ['YardiPropertyId', 'VendorId'],
};

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
  processEntities: true,
});

const stringElement = (name: string) => ({ '@minOccurs': '0', '@maxOccurs': '1', '@name': name, '@type': 's:string' });
const sequence = (elements: unknown[]) => ({ 's:complexType': { 's:sequence': { 's:element': elements } } });

function schemaElements(operation: string, params: string[]): unknown[] {
  const result = {
    '@minOccurs': '0',
    '@maxOccurs': '1',
    '@name': `${operation}Result`,
    's:complexType': { '@mixed': 'true', 's:sequence': { 's:any': '' } },
  };
  return [
    { '@name': operation, ...sequence([...LOGIN, ...params].map(stringElement)) },
    { '@name': `${operation}Response`, ...sequence([result]) },
  ];
}

/** The WSDL text for `location` (the service URL), built with XMLBuilder like every other document here. */
export function vendorInvoicingWsdl(location: string): string {
  const names = Object.keys(OPERATIONS);
  const tree = {
    'wsdl:definitions': {
      '@xmlns:soap': 'http://schemas.xmlsoap.org/wsdl/soap/',
      '@xmlns:s': 'http://www.w3.org/2001/XMLSchema',
      '@xmlns:tns': SANDBOX_NAMESPACE,
      '@xmlns:wsdl': 'http://schemas.xmlsoap.org/wsdl/',
      '@targetNamespace': SANDBOX_NAMESPACE,
      'wsdl:types': {
        's:schema': {
          '@elementFormDefault': 'qualified',
          '@targetNamespace': SANDBOX_NAMESPACE,
          's:element': names.flatMap((name) => schemaElements(name, OPERATIONS[name] ?? [])),
        },
      },
      'wsdl:message': names.flatMap((name) => [
        { '@name': `${name}SoapIn`, 'wsdl:part': { '@name': 'parameters', '@element': `tns:${name}` } },
        { '@name': `${name}SoapOut`, 'wsdl:part': { '@name': 'parameters', '@element': `tns:${name}Response` } },
      ]),
      'wsdl:portType': {
        '@name': 'ItfVendorInvoicingSoap',
        'wsdl:operation': names.map((name) => ({
          '@name': name,
          'wsdl:input': { '@message': `tns:${name}SoapIn` },
          'wsdl:output': { '@message': `tns:${name}SoapOut` },
        })),
      },
      'wsdl:binding': {
        '@name': 'ItfVendorInvoicingSoap',
        '@type': 'tns:ItfVendorInvoicingSoap',
        'soap:binding': { '@transport': 'http://schemas.xmlsoap.org/soap/http' },
        'wsdl:operation': names.map((name) => ({
          '@name': name,
          'soap:operation': { '@soapAction': `${SANDBOX_NAMESPACE}/${name}`, '@style': 'document' },
          'wsdl:input': { 'soap:body': { '@use': 'literal' } },
          'wsdl:output': { 'soap:body': { '@use': 'literal' } },
        })),
      },
      'wsdl:service': {
        '@name': 'ItfVendorInvoicing',
        'wsdl:port': { '@name': 'ItfVendorInvoicingSoap', '@binding': 'tns:ItfVendorInvoicingSoap', 'soap:address': { '@location': location } },
      },
    },
  };
  return `<?xml version="1.0" encoding="utf-8"?>${builder.build(tree) as string}`;
}
