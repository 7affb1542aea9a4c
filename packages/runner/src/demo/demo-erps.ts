import { INTACCT_SANDBOX_CREDENTIALS, startIntacctSandbox } from '@ledgerlink/connector-intacct/sandbox';
import { startAcumaticaSandbox, type AcumaticaSandbox } from '@ledgerlink/connector-acumatica/sandbox';
import { QBD_SANDBOX_COST_CODE_ITEMS, QBD_SANDBOX_WEB_CONNECTOR, startQbdSandbox } from '@ledgerlink/connector-qbd/sandbox';
import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH, startQboSandbox } from '@ledgerlink/connector-qbo/sandbox';
import { SANDBOX_AGENT_TOKEN, startSage300Sandbox } from '@ledgerlink/connector-sage300/sandbox';
import { startVistaSandbox, VISTA_SANDBOX } from '@ledgerlink/connector-vista/sandbox';
import { SANDBOX_SERVICE_PATH, startYardiSandbox, YARDI_SANDBOX_LOGIN } from '@ledgerlink/connector-yardi/sandbox';
import type { ErpSandbox } from '@ledgerlink/core';

/** How one ERP's sandbox names its records, and how the demo reaches it. */
export interface DemoErp {
  /** The tenant in examples/demo.yaml. */
  tenant: string;
  /** The connector id. */
  erp: string;
  /** The hub company of the tenant. */
  companyId: number;
  start(): Promise<ErpSandbox>;
  /** The environment examples/demo.yaml reads for this tenant. */
  env(sandbox: ErpSandbox): Record<string, string>;
  vendorId(n: number): string;
  bankId(n: number): string;
  billId(n: number): string;
  /** The cost code (and cost type, where the ERP's bill needs one) of the bills ledgerlink exports from requisitions. */
  costCode?: string;
  costType?: string;
  /** Yardi pays by Payee ID: the vendor's code is its ERP id. */
  vendorCodeIsErpId?: boolean;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The seven ERPs, each with its sandbox's own id styles (what its conformance test uses). */
export const DEMO_ERPS: readonly DemoErp[] = [
  {
    tenant: 'acme-intacct',
    erp: 'intacct',
    costCode: '5000',
    companyId: 5001,
    start: () => startIntacctSandbox(),
    env: (sandbox) => ({
      DEMO_INTACCT_URL: sandbox.url,
      DEMO_INTACCT_SENDER_ID: INTACCT_SANDBOX_CREDENTIALS.senderId,
      DEMO_INTACCT_SENDER_PASSWORD: INTACCT_SANDBOX_CREDENTIALS.senderPassword,
      DEMO_INTACCT_COMPANY_ID: INTACCT_SANDBOX_CREDENTIALS.companyId,
      DEMO_INTACCT_USER_ID: INTACCT_SANDBOX_CREDENTIALS.userId,
      DEMO_INTACCT_USER_PASSWORD: INTACCT_SANDBOX_CREDENTIALS.userPassword,
    }),
    vendorId: (n) => `V-${n}`,
    bankId: (n) => `BA-${n}`,
    billId: (n) => String(5000 + n),
  },
  {
    tenant: 'beacon-qbo',
    erp: 'qbo',
    costCode: '60',
    companyId: 5002,
    start: () => startQboSandbox(),
    env: (sandbox) => ({
      DEMO_QBO_URL: sandbox.url,
      DEMO_QBO_TOKEN_URL: `${sandbox.url}${QBO_SANDBOX_TOKEN_PATH}`,
      DEMO_QBO_REALM_ID: QBO_SANDBOX_APP.realmId,
      DEMO_QBO_CLIENT_ID: QBO_SANDBOX_APP.clientId,
      DEMO_QBO_CLIENT_SECRET: QBO_SANDBOX_APP.clientSecret,
      DEMO_QBO_REFRESH_TOKEN: QBO_SANDBOX_APP.refreshToken,
    }),
    vendorId: (n) => String(50 + n),
    bankId: (n) => String(300 + n),
    billId: (n) => String(7000 + n),
  },
  {
    tenant: 'cedar-qbd',
    erp: 'qbd',
    costCode: QBD_SANDBOX_COST_CODE_ITEMS[0]?.id as string,
    companyId: 5003,
    start: () => startQbdSandbox({ pollMs: 250 }),
    env: (sandbox) => ({
      DEMO_QBD_PORT: new URL(sandbox.url).port,
      DEMO_QBD_USERNAME: QBD_SANDBOX_WEB_CONNECTOR.username,
      DEMO_QBD_PASSWORD: QBD_SANDBOX_WEB_CONNECTOR.password,
    }),
    vendorId: (n) => `${(0x80000000 + n).toString(16).toUpperCase()}-1741900000`,
    bankId: (n) => `${(0x40000000 + n).toString(16).toUpperCase()}-1741900100`,
    billId: (n) => `${(0x2000 + n).toString(16).toUpperCase()}-1741900200`,
  },
  {
    tenant: 'delta-sage300',
    erp: 'sage300',
    costCode: '09-2900',
    costType: 'S',
    companyId: 5004,
    start: () => startSage300Sandbox(),
    env: (sandbox) => ({ DEMO_SAGE300_URL: sandbox.url, DEMO_SAGE300_AGENT_TOKEN: SANDBOX_AGENT_TOKEN }),
    vendorId: (n) => `V${n}`,
    bankId: (n) => `BANK${n}`,
    billId: (n) => String(1000 + n),
  },
  {
    tenant: 'evergreen-vista',
    erp: 'vista',
    costCode: '09-2900',
    companyId: 5005,
    start: () => startVistaSandbox(),
    env: (sandbox) => ({
      DEMO_VISTA_URL: sandbox.url,
      DEMO_VISTA_SUBSCRIBER: VISTA_SANDBOX.subscriberUid,
      DEMO_VISTA_APPLICATION_KEY: VISTA_SANDBOX.applicationKey,
    }),
    vendorId: (n) => String(2000 + n),
    bankId: (n) => `CM${n}`,
    billId: (n) => String(700 + n),
  },
  {
    tenant: 'foundry-acumatica',
    erp: 'acumatica',
    costCode: '09-2900',
    companyId: 5006,
    start: () => startAcumaticaSandbox(),
    env: (sandbox) => {
      const { credentials } = sandbox as AcumaticaSandbox;
      return {
        DEMO_ACUMATICA_URL: sandbox.url,
        DEMO_ACUMATICA_USERNAME: credentials.username,
        DEMO_ACUMATICA_PASSWORD: credentials.password,
        DEMO_ACUMATICA_TENANT: credentials.tenant,
      };
    },
    vendorId: (n) => `V${pad(n, 6)}`,
    bankId: (n) => `102${pad(n, 2)}CA`,
    billId: (n) => `AP${pad(n, 6)}`,
  },
  {
    tenant: 'granite-yardi',
    erp: 'yardi',
    costCode: '09-2900',
    companyId: 5007,
    start: () => startYardiSandbox(),
    env: (sandbox) => ({
      DEMO_YARDI_URL: `${sandbox.url}${SANDBOX_SERVICE_PATH}`,
      DEMO_YARDI_USER: YARDI_SANDBOX_LOGIN.userName,
      DEMO_YARDI_PASSWORD: YARDI_SANDBOX_LOGIN.password,
      DEMO_YARDI_SERVER: YARDI_SANDBOX_LOGIN.serverName,
      DEMO_YARDI_DATABASE: YARDI_SANDBOX_LOGIN.database,
      DEMO_YARDI_ENTITY: YARDI_SANDBOX_LOGIN.interfaceEntity,
      DEMO_YARDI_LICENSE: YARDI_SANDBOX_LOGIN.interfaceLicense,
    }),
    vendorId: (n) => `v${pad(n, 4)}`,
    bankId: (n) => `op${n}`,
    billId: (n) => String(50_000 + n),
    vendorCodeIsErpId: true,
  },
];
