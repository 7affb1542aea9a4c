import { describe, expect, it } from 'vitest';
import { erpMetadataFor, METADATA_ENTITIES } from '../src/index.js';

type Block = { enabled: boolean; configs: { export: { enabled: boolean; create: { enabled: boolean } }; import: { enabled: boolean }; staged_records: { enabled: boolean }; sync_payments?: { enabled: boolean } } };
const entitiesOf = (metadata: unknown): Record<string, Block> => (metadata as { settings: { entities: Record<string, Block> } }).settings.entities;

describe('ERP connection metadata from capabilities', () => {
  it('enables contract payments in exactly the declared directions, and every other entity is present and disabled', () => {
    const both = entitiesOf(erpMetadataFor({ entities: { payment: ['export', 'import'] } }, { name: 'Sage Intacct' }));
    expect(Object.keys(both).sort()).toEqual([...METADATA_ENTITIES].sort());
    expect(both.contract_payments).toEqual({
      enabled: true,
      configs: {
        export: { enabled: true, create: { enabled: true }, update: { enabled: false }, custom_fields: [] },
        import: { enabled: true },
        staged_records: { enabled: false },
      },
      tab: { enabled: true },
    });
    // Procore still drives Sync Payments through the requisitions block; the block itself stays off.
    expect(both.requisitions).toMatchObject({ enabled: false, configs: { export: { enabled: false }, sync_payments: { enabled: true } } });
    for (const [name, block] of Object.entries(both)) {
      if (name === 'contract_payments') continue;
      expect([name, block.enabled, block.configs.export.enabled, block.configs.import.enabled, block.configs.staged_records.enabled]).toEqual([name, false, false, false, false]);
    }
  });

  it('follows the connector: export only leaves import and Sync Payments off; nothing declared enables nothing', () => {
    const exportOnly = entitiesOf(erpMetadataFor({ entities: { payment: ['export'] } }, { name: 'Yardi Voyager' }));
    expect(exportOnly.contract_payments).toMatchObject({ enabled: true, configs: { export: { enabled: true }, import: { enabled: false } } });
    expect(exportOnly.requisitions?.configs.sync_payments).toEqual({ enabled: false });
    const importOnly = entitiesOf(erpMetadataFor({ entities: { payment: ['import'] } }, { name: 'X' }));
    expect(importOnly.contract_payments).toMatchObject({ enabled: true, configs: { export: { enabled: false, create: { enabled: false } }, import: { enabled: true } } });
    const none = entitiesOf(erpMetadataFor({ entities: {} }, { name: 'X' }));
    expect(Object.values(none).every((block) => !block.enabled)).toBe(true);
  });

  it('enables the vendors block as the connector declares vendors: export creates, import stages ERP vendors', () => {
    const both = entitiesOf(erpMetadataFor({ entities: { payment: ['export'], vendor: ['export', 'import'] } }, { name: 'Sage Intacct' }));
    expect(both.vendors).toEqual({
      enabled: true,
      configs: {
        export: { enabled: true, create: { enabled: true }, update: { enabled: false }, custom_fields: [] },
        import: { enabled: true },
        staged_records: { enabled: true },
      },
      tab: { enabled: true },
    });
    // Contract payments never stage (Invoice Payments Sync writes them), and requisitions stay off undeclared.
    expect(both.contract_payments?.configs.staged_records).toEqual({ enabled: false });
    expect(both.requisitions?.enabled).toBe(false);
    const exportOnly = entitiesOf(erpMetadataFor({ entities: { vendor: ['export'] } }, { name: 'X' }));
    expect(exportOnly.vendors).toMatchObject({ enabled: true, configs: { export: { enabled: true, create: { enabled: true } }, import: { enabled: false }, staged_records: { enabled: false } } });
    const importOnly = entitiesOf(erpMetadataFor({ entities: { vendor: ['import'] } }, { name: 'X' }));
    expect(importOnly.vendors).toMatchObject({ enabled: true, configs: { export: { enabled: false, create: { enabled: false } }, import: { enabled: true }, staged_records: { enabled: true } } });
  });

  it('enables the requisitions block for a connector that exports subcontractor invoices, keeping Sync Payments with payments', () => {
    const all = entitiesOf(erpMetadataFor({ entities: { payment: ['export', 'import'], requisition: ['export'], vendor: ['export', 'import'] } }, { name: 'QuickBooks Online' }));
    expect(all.requisitions).toMatchObject({
      enabled: true,
      configs: { export: { enabled: true, create: { enabled: true } }, import: { enabled: false }, staged_records: { enabled: false }, sync_payments: { enabled: true } },
      tab: { enabled: true },
    });
    const enabled = Object.entries(all).filter(([, block]) => block.enabled).map(([name]) => name).sort();
    expect(enabled).toEqual(['contract_payments', 'requisitions', 'vendors']);
    // Requisitions without payment import: the bills export, Sync Payments is not offered.
    const billsOnly = entitiesOf(erpMetadataFor({ entities: { requisition: ['export'] } }, { name: 'X' }));
    expect(billsOnly.requisitions).toMatchObject({ enabled: true, configs: { export: { enabled: true }, sync_payments: { enabled: false } } });
    expect(Object.entries(billsOnly).filter(([, block]) => block.enabled).map(([name]) => name)).toEqual(['requisitions']);
  });

  it('labels the integration with the ERP connector\'s name', () => {
    const metadata = erpMetadataFor({ entities: { payment: ['export'] } }, { name: 'Sage Intacct', shortName: 'Intacct' }) as { settings: Record<string, unknown> };
    expect(metadata.settings.labels).toEqual({ name: 'Sage Intacct', id_name: 'Intacct ID', short_name: 'Intacct' });
    expect(metadata.settings.configurations).toEqual({ features: {} });
  });
});
