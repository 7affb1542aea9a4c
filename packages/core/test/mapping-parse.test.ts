import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, LedgerlinkError } from '../src/errors.js';
import { MappingFileError, formatProblem, loadMappingFile, parseMapping } from '../src/mapping/index.js';
import { exportMapping, fixture } from './fixtures/mapping/records.js';

/** The problems a file is refused with, as the CLI prints them, with the fixture folder cut off. */
function problemsOf(name: string): string[] {
  try {
    loadMappingFile(fixture(name));
  } catch (error) {
    expect(error).toBeInstanceOf(MappingFileError);
    const problems = (error as MappingFileError).problems;
    expect((error as MappingFileError).message).toBe(problems.map(formatProblem).join('\n'));
    return problems.map((problem) => formatProblem({ ...problem, file: name }));
  }
  throw new Error(`${name} was accepted`);
}

function problemsOfText(text: string): string[] {
  try {
    parseMapping(text, 'inline.yaml');
  } catch (error) {
    return (error as MappingFileError).problems.map(formatProblem);
  }
  throw new Error('the mapping was accepted');
}

describe('a valid mapping file', () => {
  it('parses into a document naming its connector and sections', () => {
    const doc = loadMappingFile(fixture('qbo.mapping.yaml'));
    expect(doc.connector).toBe('qbo');
    expect(doc.file).toBe(fixture('qbo.mapping.yaml'));
    expect(Object.keys(doc.entities)).toEqual(['payment']);
    expect(Object.keys(doc.entities.payment ?? {})).toEqual(['export', 'import']);
  });

  it('is parsed once per text: the same file gives the same document, an edited one a new one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-mapping-'));
    try {
      const path = join(dir, 'mapping.yaml');
      const text = readFileSync(fixture('qbo.mapping.yaml'), 'utf8');
      writeFileSync(path, text);
      const first = loadMappingFile(path);
      expect(loadMappingFile(path)).toBe(first);
      // The same text read as a customer's override is another kind of document.
      expect(loadMappingFile(path, { override: true })).not.toBe(first);
      writeFileSync(path, text.replace('connector: qbo', 'connector: qbo-edited'));
      const edited = loadMappingFile(path);
      expect(edited).not.toBe(first);
      expect(edited.connector).toBe('qbo-edited');
      writeFileSync(path, 'entities: [');
      expect(() => loadMappingFile(path)).toThrow(MappingFileError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is immutable once validated', () => {
    const doc = loadMappingFile(fixture('qbo.mapping.yaml'));
    expect(() => {
      (doc.entities as Record<string, unknown>).payment = {};
    }).toThrow(TypeError);
  });
});

describe('the bad-input list: every problem at once, each at file:line:col', () => {
  it('an unknown operator, by name, with the known ones listed', () => {
    expect(problemsOf('bad-unknown-operator.yaml')).toEqual([
      'bad-unknown-operator.yaml:7:40 unknown operator \'fromat\' (did you mean format?); known operators: from, const, template, when, map, default, lookup, format, required',
      'bad-unknown-operator.yaml:8:41 unknown operator \'lookups\' (did you mean lookup?); known operators: from, const, template, when, map, default, lookup, format, required',
    ]);
    expect(problemsOfText(exportMapping('A: { from: id, xyz: 1 }'))).toEqual([
      'inline.yaml:7:24 unknown operator \'xyz\'; known operators: from, const, template, when, map, default, lookup, format, required',
    ]);
  });

  it('a wrong type', () => {
    expect(problemsOf('bad-wrong-type.yaml')).toEqual([
      'bad-wrong-type.yaml:7:58 required: expected true or false, got "yes"',
      'bad-wrong-type.yaml:10:37 format.money.scale: expected 0 to 6, got 9',
      'bad-wrong-type.yaml:11:18 a field is a mapping of operators, such as { from: amountCents }, got "Check"',
    ]);
  });

  it('a from path (or placeholder, or item path) the canonical payment does not have', () => {
    expect(problemsOf('bad-unknown-path.yaml')).toEqual([
      "bad-unknown-path.yaml:7:29 payment has no field 'vendor.nmae' (did you mean vendor.name?)",
      "bad-unknown-path.yaml:8:27 payment has no field 'invoice.numbr' (did you mean invoice.number?)",
      "bad-unknown-path.yaml:13:28 bill has no field 'erp_id' (did you mean bill.erpId?)",
    ]);
    expect(problemsOfText(exportMapping('A: { from: vendorz }'))).toEqual([
      "inline.yaml:7:20 payment has no field 'vendorz' (did you mean vendor?)",
    ]);
    expect(problemsOfText(exportMapping('A: { from: amountCents.value }'))).toEqual([
      "inline.yaml:7:20 payment has no field 'amountCents.value' (payment.amountCents is a number)",
    ]);
    expect(problemsOfText(exportMapping('A: { from: vendor.banana }'))).toEqual([
      "inline.yaml:7:20 payment has no field 'vendor.banana' (payment.vendor has: id, name, code, erpId)",
    ]);
  });

  it('an unmapped enum value: an export map that misses a method, an import map onto no method', () => {
    expect(problemsOf('bad-unmapped-enum.yaml')).toEqual([
      "bad-unmapped-enum.yaml:7:40 map has no entry for 'ach' (payment.method is one of ach, check); add it or a default",
      'bad-unmapped-enum.yaml:13:72 "cheque" is not a valid payment issued method (expected one of: ach, check)',
    ]);
  });

  it('a YAML syntax error', () => {
    expect(problemsOf('bad-syntax.yaml')).toEqual([
      'bad-syntax.yaml:8:9 YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }',
    ]);
    expect(problemsOfText('version: 1\nconnector: "qbo\n')).toEqual(['inline.yaml:3:1 YAML syntax error: Missing closing "quote']);
  });

  it('duplicate keys, with where the key was first written', () => {
    expect(problemsOf('bad-duplicate-key.yaml')).toEqual([
      "bad-duplicate-key.yaml:9:9 duplicate key 'TotalAmt' (first written at line 7, column 9)",
    ]);
    expect(problemsOfText(exportMapping('A: { from: id, from: bankId }'))).toEqual([
      "inline.yaml:7:24 duplicate key 'from' (first written at line 7, column 14)",
    ]);
  });

  it('import targets that PaymentIssued does not have, and the fields it requires', () => {
    expect(problemsOf('bad-import-target.yaml')).toEqual([
      'bad-import-target.yaml:6:7 payment import does not produce amountCents, method, erpStatus, which payment issued requires (add amountCents: { from: ... } or { const: ... })',
      "bad-import-target.yaml:8:9 payment issued has no field 'amount' (did you mean amountCents?)",
      "bad-import-target.yaml:9:42 this format gives a number, but payment issued field 'paidOn' is a string",
    ]);
  });

  it('structure: version, entities, directions, sources, conditions, patterns, targets, groups', () => {
    expect(problemsOf('bad-structure.yaml')).toEqual([
      'bad-structure.yaml:1:10 version: expected 1, got 2',
      "bad-structure.yaml:4:3 unknown entity 'payments' (did you mean payment?); known entities: payment, requisition, vendor",
      "bad-structure.yaml:7:5 unknown direction 'exprt' under payment (did you mean export?); known directions: export, import",
      'bad-structure.yaml:11:9 a field needs one source: from, const or template',
      'bad-structure.yaml:12:9 a field takes one source, but this one has from and const',
      'bad-structure.yaml:13:28 default goes with map or lookup; this field has neither',
      'bad-structure.yaml:14:27 when takes one condition, but this one has equals and exists',
      "bad-structure.yaml:15:49 format.date: 'MM/DD/YY' is not a date pattern (use YYYY, MM and DD once each with separators, such as MM/DD/YYYY, or iso-datetime on import)",
      'bad-structure.yaml:16:51 format.date: iso-datetime reads a date-time on import; on export give a pattern such as YYYY-MM-DD',
      "bad-structure.yaml:17:25 'vendor' is an object; map one of its fields: id, name, code, erpId",
      "bad-structure.yaml:19:9 target 'A.B' is inside 'A', which another field sets",
      'bad-structure.yaml:20:45 format money needs an amount in integer cents, but payment.vendor.name is a string',
      "bad-structure.yaml:22:17 each needs a list or an object, but 'amountCents' is a number",
      "bad-structure.yaml:23:15 as: 'vendor' hides payment.vendor inside the group; choose another name",
    ]);
  });

  it('more mistakes the language catches on load', () => {
    expect(problemsOfText(exportMapping('A: { from: id, map: { x: y }, lookup: banks }'))).toEqual([
      'inline.yaml:7:39 a field takes map or lookup, not both (their default would be ambiguous)',
    ]);
    expect(problemsOfText(exportMapping('A: { template: "{{ id }} {{ nope" }'))).toEqual([
      'inline.yaml:7:24 template: a {{ is not closed by }} (or a }} has no {{)',
    ]);
    expect(problemsOfText(exportMapping('A: { from: id, format: currency }'))).toEqual([
      "inline.yaml:7:32 unknown format 'currency'; known formats: money, string, integer, { money: { scale: N } } or { date: PATTERN }",
    ]);
    expect(problemsOfText(exportMapping('L.1.X: { const: 1 }'))).toEqual([
      "inline.yaml:7:9 target 'L.1.X' skips a list index under 'L' (indexes start at 0 and go up by one)",
    ]);
    expect(problemsOfText(exportMapping('A: { from: id, when: { path: status, equal: paid } }'))).toEqual([
      'inline.yaml:7:24 when needs one condition: equals, notEquals, in or exists',
      "inline.yaml:7:46 unknown key 'equal' in when (did you mean equals?); known keys: path, equals, notEquals, in, exists",
    ]);
    expect(problemsOfText(exportMapping('__proto__: { const: 1 }\nB: { const: 2 }'))).toEqual(["inline.yaml:7:9 '__proto__' cannot be used as a key"]);
    expect(problemsOfText(exportMapping('A: { from: "vendor..name" }'))).toEqual([
      'inline.yaml:7:20 from: expected a dotted path such as vendor.erpId',
    ]);
  });

  it('a connector mapping must name its connector; an override need not', () => {
    const text = 'entities:\n  payment:\n    export:\n      fields:\n        A: { from: id }\n';
    expect(problemsOfText(text)).toEqual([
      "inline.yaml:1:1 missing 'connector': name the connector this mapping is for, such as connector: qbo",
    ]);
    expect(parseMapping(text, 'override.yaml', { override: true }).connector).toBeUndefined();
  });

  it('an empty file and a file that is not a mapping', () => {
    expect(problemsOfText('')).toEqual(['inline.yaml:1:1 a mapping file is a YAML mapping with version, connector and entities']);
    expect(problemsOfText('- a\n- b\n')).toEqual(['inline.yaml:1:1 a mapping file is a YAML mapping with version, connector and entities']);
  });
});

describe('MappingFileError', () => {
  it('is a LedgerlinkError with the stable code and one line per problem', () => {
    let caught: unknown;
    try {
      loadMappingFile(fixture('bad-unknown-path.yaml'));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LedgerlinkError);
    const error = caught as MappingFileError;
    expect(error.code).toBe(ErrorCodes.MAPPING_INVALID);
    expect(error.problems).toHaveLength(3);
    expect(error.message.split('\n')).toHaveLength(3);
    expect(error.problems[0]).toEqual({
      file: fixture('bad-unknown-path.yaml'),
      line: 7,
      col: 29,
      message: "payment has no field 'vendor.nmae' (did you mean vendor.name?)",
    });
  });

  it('a file that cannot be read is a coded error that says why', () => {
    expect(() => loadMappingFile('/nonexistent/mapping.yaml')).toThrow(
      expect.objectContaining({ code: ErrorCodes.MAPPING_INVALID, message: 'cannot read mapping file /nonexistent/mapping.yaml: no such file' }),
    );
  });
});
