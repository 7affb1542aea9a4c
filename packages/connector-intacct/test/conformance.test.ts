import { describeConnectorConformance } from '@ledgerlink/connector-testkit';
import { intacctConnector, type IntacctConfigInput } from '../src/index.js';
import { INTACCT_SANDBOX_CREDENTIALS, startIntacctSandbox } from '../src/sandbox/index.js';

const credentials = INTACCT_SANDBOX_CREDENTIALS;

describeConnectorConformance(intacctConnector, {
  startSandbox: startIntacctSandbox,
  config: (sandbox): IntacctConfigInput => ({
    endpointUrl: sandbox.url,
    senderId: credentials.senderId,
    senderPassword: credentials.senderPassword,
    companyId: credentials.companyId,
    userId: credentials.userId,
    userPassword: credentials.userPassword,
  }),
  invalidConfig: {
    config: (sandbox) => ({ endpointUrl: sandbox.url, senderPassword: credentials.senderPassword, companyId: credentials.companyId, userId: credentials.userId, userPassword: credentials.userPassword }),
    field: 'senderId',
  },
  badCredentials: (sandbox): IntacctConfigInput => ({
    endpointUrl: sandbox.url,
    senderId: credentials.senderId,
    senderPassword: credentials.senderPassword,
    companyId: credentials.companyId,
    userId: credentials.userId,
    userPassword: 'not-the-password',
  }),
  fixtures: {
    vendorId: (n) => `V-${n}`,
    bankAccountId: (n) => `BA-${n}`,
    // Intacct keys bills by RECORDNO, a whole number.
    billId: (n) => String(5000 + n),
    // A bill line posts to a GL account of the sandbox company (its chart: 5000, 5010, 5020).
    requisitionDefaults: () => ({ line: { costCodeOriginId: '5000' } }),
  },
});
