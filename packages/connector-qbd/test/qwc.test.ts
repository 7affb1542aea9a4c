import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { LEDGERLINK_OWNER_ID, renderQwc } from '../src/index.js';

const base = {
  appUrl: 'https://ledgerlink.example.com/qbwc',
  username: 'acme & sons <wc>',
  ownerId: '{57F3B9B1-86F1-4FCC-B1EE-566DE1813D20}',
  fileId: '{90A44FB5-33D9-4815-AC85-BC87A7E7D1EB}',
};

describe('renderQwc', () => {
  it('writes the QBWCXML the Web Connector loads, every value escaped', () => {
    const xml = renderQwc({ ...base, appName: 'ledgerlink (Acme)', runEveryNSeconds: 120 });
    expect(xml.startsWith('<?xml version="1.0"?>')).toBe(true);
    expect(xml).toContain('<UserName>acme &amp; sons &lt;wc&gt;</UserName>');
    const parsed = new XMLParser({ parseTagValue: false }).parse(xml) as { QBWCXML: Record<string, unknown> };
    expect(Object.keys(parsed.QBWCXML)).toEqual([
      'AppName', 'AppID', 'AppURL', 'AppDescription', 'AppSupport', 'UserName', 'OwnerID', 'FileID', 'QBType', 'Scheduler', 'IsReadOnly',
    ]);
    expect(parsed.QBWCXML).toMatchObject({
      AppName: 'ledgerlink (Acme)',
      AppURL: 'https://ledgerlink.example.com/qbwc',
      AppSupport: 'https://ledgerlink.example.com/support',
      UserName: 'acme & sons <wc>',
      OwnerID: base.ownerId,
      FileID: base.fileId,
      QBType: 'QBFS',
      Scheduler: { RunEveryNSeconds: '120' },
      IsReadOnly: 'false',
    });
  });

  it('refuses what the Web Connector would refuse, naming each problem', () => {
    expect(() => renderQwc({ ...base, appUrl: 'http://ledgerlink.example.com/qbwc', ownerId: '57F3', runEveryNSeconds: 0 })).toThrow(
      /https:\/\/[\s\S]*ownerId must be a GUID[\s\S]*runEveryNSeconds/,
    );
    expect(renderQwc({ ...base, appUrl: 'http://localhost:8080/qbwc' })).toContain('<AppURL>http://localhost:8080/qbwc</AppURL>');
  });

  it('uses one OwnerID for the application unless told otherwise (Intuit: one per application)', () => {
    const { ownerId: _ownerId, ...rest } = base;
    expect(renderQwc(rest)).toContain(`<OwnerID>${LEDGERLINK_OWNER_ID}</OwnerID>`);
    expect(renderQwc({ ...rest, username: 'other tenant' })).toContain(`<OwnerID>${LEDGERLINK_OWNER_ID}</OwnerID>`);
  });
});
