/**
 * The EU consolidated financial sanctions list in its XML export's shape (root export in the FSD
 * namespace, one sanctionEntity per subject, the data in attributes), built here: invented persons.
 */
export interface Person {
  logicalId: string;
  designationDate?: string;
  reference?: string;
  names: Array<{ firstName?: string; middleName?: string; lastName?: string; wholeName: string; strong?: boolean }>;
  birthdates?: Array<{ birthdate?: string; year?: string }>;
  citizenships?: string[];
  identifications?: Array<{ number: string; type: string; country?: string }>;
  regulations?: Array<{ publicationDate: string; numberTitle: string; programme: string }>;
  remark?: string;
}

const attr = (name: string, value: string | undefined) => (value === undefined ? '' : ` ${name}="${value}"`);

export function entity(p: Person, subject = 'person'): string {
  const lines = [
    `  <sanctionEntity designationDetails="" unitedNationId=""${attr('euReferenceNumber', p.reference)}${attr('logicalId', p.logicalId)}${attr('designationDate', p.designationDate)}>`,
    ...(p.remark ? [`    <remark>${p.remark}</remark>`] : []),
    ...(p.regulations ?? []).map(
      (r) =>
        `    <regulation regulationType="regulation" organisationType="council" publicationDate="${r.publicationDate}" entryIntoForceDate="${r.publicationDate}" numberTitle="${r.numberTitle}" programme="${r.programme}" logicalId="9${p.logicalId}">\n      <publicationUrl>https://example.invalid/oj</publicationUrl>\n    </regulation>`,
    ),
    `    <subjectType code="${subject}" classificationCode="${subject === 'person' ? 'P' : 'E'}"/>`,
    ...p.names.map(
      (n) =>
        `    <nameAlias${attr('firstName', n.firstName ?? '')}${attr('middleName', n.middleName ?? '')}${attr('lastName', n.lastName ?? '')} wholeName="${n.wholeName}" function="" gender="M" title="" nameLanguage="" strong="${n.strong === false ? 'false' : 'true'}" regulationLanguage="en" logicalId="1${p.logicalId}"/>`,
    ),
    ...(p.birthdates ?? []).map(
      (b) =>
        `    <birthdate circa="false" calendarType="GREGORIAN" city="" zipCode=""${attr('birthdate', b.birthdate)}${attr('year', b.year)} region="" place="" countryIso2Code="00"/>`,
    ),
    ...(p.citizenships ?? []).map((c) => `    <citizenship region="" countryIso2Code="${c}" countryDescription="" regulationLanguage="en"/>`),
    ...(p.identifications ?? []).map(
      (i) =>
        `    <identification diplomatic="false" knownExpired="false" knownFalse="false" reportedLost="false" revokedByIssuer="false" issuedBy="" issuedDate="" validFrom="" validTo="" latinNumber="" nameOnDocument="" number="${i.number}" region=""${attr('countryIso2Code', i.country)} countryDescription="" identificationTypeCode="${i.type}" identificationTypeDescription="" regulationLanguage="en"/>`,
    ),
    '  </sanctionEntity>',
  ];
  return lines.join('\n');
}

export function exportXml(entities: string[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
    '<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-11-01T09:00:00.000+01:00" globalFileId="171000">',
    ...entities,
    '</export>',
    '',
  ].join('\n');
}

export const TAQA = { publicationDate: '2002-05-29', numberTitle: '881/2002 (OJ L139)', programme: 'TAQA' };
export const AMENDMENT = { publicationDate: '2019-03-12', numberTitle: '2019/410 (OJ L73)', programme: 'TAQA' };

export const PERSONS: Person[] = [
  {
    logicalId: '13001',
    reference: 'EU.901.12',
    designationDate: '2019-03-11',
    names: [
      { firstName: 'Tariq', lastName: 'Al-Marwani', wholeName: 'Tariq Al-Marwani' },
      { wholeName: 'Tarek Marouani', strong: false },
      { wholeName: 'Abu Hafs al-Tunisi', strong: false },
    ],
    birthdates: [{ birthdate: '1984-06-02', year: '1984' }],
    citizenships: ['TN', 'FR'],
    identifications: [
      { number: 'Z 1234567', type: 'passport', country: 'TN' },
      { number: '09876543', type: 'id', country: 'TN' },
      { number: 'FISC-77', type: 'fiscalcode', country: 'TN' },
    ],
    regulations: [AMENDMENT, TAQA],
    remark: 'Facilitator of foreign fighters&apos; travel &amp; funds.',
  },
  {
    logicalId: '13002',
    reference: 'EU.902.55',
    names: [{ wholeName: 'Omar Haddouchi Benali' }],
    birthdates: [{ year: '1979' }],
    citizenships: ['MA'],
    identifications: [{ number: 'MA4455667', type: 'passport', country: 'MA' }],
    regulations: [TAQA],
  },
  {
    logicalId: '13003',
    designationDate: '2021-07-20',
    names: [{ firstName: 'Leila', middleName: 'Samira', lastName: 'Qasimi', wholeName: 'Leila Samira Qasimi' }],
    citizenships: ['SY'],
    regulations: [{ publicationDate: '2021-07-20', numberTitle: '2021/1190 (OJ L258)', programme: 'SYR' }],
  },
];
export const ENTERPRISE = entity(
  { logicalId: '13500', designationDate: '2020-01-01', names: [{ wholeName: 'Marwani Trading LLC' }], regulations: [TAQA] },
  'enterprise',
);
