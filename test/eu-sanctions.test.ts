import { describe, expect, it } from 'vitest';
import { EU_SANCTIONS_LIST, EuSanctionsFormatError, readEuSanctions } from '../subgraphs/member/import/eu-sanctions.ts';
import { ENTERPRISE, PERSONS, TAQA, entity, exportXml } from './support/eu-sanctions-xml.ts';

describe('the EU consolidated financial sanctions list: reading its XML export', () => {
  it('turns each person entity into a person record with names, aliases, documents, a listing and an asset freeze', () => {
    const read = readEuSanctions(exportXml([...PERSONS.map((p) => entity(p)), ENTERPRISE]), { file: 'eu.xml' });
    expect(read.generationDate).toBe('2026-11-01T09:00:00.000+01:00');
    expect(read.skipped).toEqual({ enterprise: 1 });
    expect(read.records.map((r) => r.id)).toEqual(['EU-13001', 'EU-13002', 'EU-13003']);
    expect(read.records[0]).toEqual({
      id: 'EU-13001',
      givenName: 'Tariq',
      familyName: 'Al-Marwani',
      dateOfBirth: '1984-06-02',
      status: 'SUSPECT',
      background: "Facilitator of foreign fighters' travel & funds.",
      contact: { reference: 'EU EU.901.12' },
      aliases: ['Tarek Marouani', 'Abu Hafs al-Tunisi'],
      nationalities: ['TN', 'FR'],
      documents: [
        { id: 'EU-13001-D1', number: 'Z 1234567', kind: 'PASSPORT', issuingState: 'TN', validUntil: null },
        { id: 'EU-13001-D2', number: '09876543', kind: 'IDENTITY_CARD', issuingState: 'TN', validUntil: null },
      ],
      listings: [
        {
          id: 'EU-13001-L1',
          list: EU_SANCTIONS_LIST,
          listedSince: '2019-03-11',
          reason: 'programme TAQA; regulation 881/2002 (OJ L139)',
          action: 'Freeze all funds and economic resources; make none available',
          handling: 'H0',
          evaluation: 'A1',
        },
      ],
      financialMeasures: [
        { id: 'EU-13001-F1', kind: 'ASSET_FREEZE', since: '2019-03-11', legalBasis: '881/2002 (OJ L139)', institution: null, handling: 'H0', evaluation: 'A1' },
      ],
      handling: 'H0',
      evaluation: 'A1',
    });
    // A whole name alone: the last word is the family name; a year of birth alone is no date; no designation date: the regulation's.
    expect(read.records[1]).toMatchObject({ givenName: 'Omar Haddouchi', familyName: 'Benali', dateOfBirth: null, aliases: [] });
    expect(read.records[1].listings![0].listedSince).toBe('2002-05-29');
    expect(read.records[2]).toMatchObject({ givenName: 'Leila Samira', familyName: 'Qasimi', documents: [], contact: { reference: 'EU logicalId 13003' } });
    expect(read.records[2].listings![0].reason).toBe('programme SYR; regulation 2021/1190 (OJ L258)');
  });

  it('names the file, line and entity of an entry that cannot become a record', () => {
    const noName = { logicalId: '13004', designationDate: '2020-01-01', names: [], regulations: [TAQA] };
    const xml = exportXml([entity(PERSONS[0]), entity(noName)]);
    const line = xml.split('\n').findIndex((l) => l.includes('logicalId="13004"')) + 1;
    expect(() => readEuSanctions(xml, { file: 'eu.xml' })).toThrow(
      new EuSanctionsFormatError(
        `eu.xml:${line}: sanctionEntity logicalId=13004: nameAlias: null; expected at least one name (firstName/lastName or wholeName)`,
      ),
    );
    const noCountry = { ...PERSONS[1], logicalId: '13005', identifications: [{ number: 'X1', type: 'passport' }] };
    expect(() => readEuSanctions(exportXml([entity(noCountry)]), { file: 'eu.xml' })).toThrow(
      'eu.xml:3: sanctionEntity logicalId=13005: identification.countryIso2Code: null; expected the issuing state of passport X1: two letters',
    );
    const badDate = { ...PERSONS[2], logicalId: '13006', designationDate: '20/07/2021' };
    expect(() => readEuSanctions(exportXml([entity(badDate)]), { file: 'eu.xml' })).toThrow(
      'eu.xml:3: sanctionEntity logicalId=13006: designationDate: "20/07/2021"; expected a date YYYY-MM-DD',
    );
    const noRegulation = { ...PERSONS[2], logicalId: '13007', regulations: [] };
    expect(() => readEuSanctions(exportXml([entity(noRegulation)]), { file: 'eu.xml' })).toThrow(
      'eu.xml:3: sanctionEntity logicalId=13007: regulation: null; expected at least one regulation with its numberTitle',
    );
    expect(() => readEuSanctions(exportXml([entity(PERSONS[2]), entity(PERSONS[2])]), { file: 'eu.xml' })).toThrow(
      /sanctionEntity logicalId=13003: logicalId: "13003"; expected an id of its own; line 3 has the same/,
    );
  });

  it('refuses what is not the export: broken XML with its line, another root, a DOCTYPE (no entity is expanded)', () => {
    expect(() => readEuSanctions('<?xml version="1.0"?>\n<export>\n  <sanctionEntity>\n</export>\n', { file: 'eu.xml' })).toThrow(
      /^eu\.xml:4: not well-formed XML: /,
    );
    expect(() => readEuSanctions('<?xml version="1.0"?>\n<sdnList/>\n', { file: 'eu.xml' })).toThrow('eu.xml: root element is sdnList, not export');
    const bomb = '<?xml version="1.0"?>\n<!DOCTYPE export [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>\n<export>&b;</export>\n';
    expect(() => readEuSanctions(bomb, { file: 'eu.xml' })).toThrow('eu.xml: has a DOCTYPE; the EU sanctions export has none');
  });
});
