/**
 * Saved example queries of the explorer: the four questions that show why the network exists,
 * the duty officers' hits on their own state's records, and one subject linked across states.
 * They are written against the contract (schema/member.graphql) and test/explorer-assets.test.ts
 * validates each one against it, so a contract change that breaks an example fails a test instead
 * of an analyst's first click. Values (passport number, organisation name) come from the demo data
 * of `npm start`; in a real network the analyst replaces them in the Variables pane.
 */

export interface ExplorerExample {
  /** Stable id: the value of the example picker's option (`#example`), for tests and links. */
  id: string;
  /** What the analyst sees in the picker. */
  title: string;
  /** The GraphQL document; its comments explain how to read the answer. */
  query: string;
  /** The Variables pane, as JSON text (GraphiQL edits text, not objects). */
  variables: string;
}

/** ISO date `days` before `today` (UTC): "the last 90 days" must mean the day the page was opened. */
function daysBefore(today: Date, days: number): string {
  return new Date(today.getTime() - days * 86_400_000).toISOString().slice(0, 10);
}

const json = (value: Record<string, unknown>) => JSON.stringify(value, null, 2);

/** The examples, with date variables relative to `today` (config.json is built per request). */
export function explorerExamples(today: Date = new Date()): ExplorerExample[] {
  return [
    {
      id: 'passport',
      title: 'Everything the network holds on passport X',
      variables: json({ documentNumber: 'EM482913' }),
      query: `# Everything the network holds on one passport number.
# Every state that has a record answers with what its release
# rules give you: identity (tier SUMMARY); documents, travel,
# money, listings, links and background (tier FULL).
# A withheld field is null with a NOT_RELEASED error naming the
# state and the reason; a state that did not answer is a
# MEMBER_UNAVAILABLE error. See "Per-state notes" above.
# Set the passport number in the Variables pane.
query PassportDossier($documentNumber: String!) {
  persons(filter: { documentNumber: $documentNumber }) {
    memberState
    id
    contact { agency unit email phone reference }
    givenName
    familyName
    aliases
    dateOfBirth
    nationalities
    status
    documents { number kind issuingState validUntil }
    travel(first: 50) {
      at
      from { city country }
      to { city country }
      mode
      carrier
      reference
      source
      planned
    }
    financialMeasures { kind since institution amount currency legalBasis }
    listings { list listedSince reason action }
    affiliations {
      role
      since
      organisation { memberState id name kind }
    }
    background
  }
}
`,
    },
    {
      id: 'istanbul',
      title: 'Travel through Istanbul in the last 90 days',
      variables: json({ since: daysBefore(today, 90) }),
      query: `# Travel through Istanbul in the last 90 days.
# A person search needs one criterion: this asks every state for
# its foreign terrorist fighters and their movements since $since
# (today minus 90 days, in the Variables pane).
# Look at the legs whose from or to is Istanbul (TR): each state
# recorded a different leg of the same route; only together do
# they show the whole trip. planned: true is a booked trip that
# has not happened yet.
query TravelThroughIstanbul($since: Date!) {
  persons(filter: { status: FOREIGN_TERRORIST_FIGHTER }) {
    memberState
    id
    givenName
    familyName
    nationalities
    documents { number kind issuingState }
    travel(since: $since, first: 100) {
      at
      from { city country }
      to { city country }
      mode
      carrier
      reference
      source
      planned
    }
  }
}
`,
    },
    {
      id: 'asset-freezes',
      title: 'Asset freezes and their holders',
      variables: json({ status: 'SUSPECT' }),
      query: `# Asset freezes and their holders.
# Subjects of one status (change it in the Variables pane:
# SUSPECT, ASSOCIATE, CONVICTED, ...) with their financial
# measures. Look for kind ASSET_FREEZE, then search the holder's
# passport number (documents) with the first example: another
# state may have seen the same person withdraw cash
# (CASH_WITHDRAWAL) or wire money (MONEY_TRANSFER) days later.
query AssetFreezes($status: SubjectStatus!) {
  persons(filter: { status: $status }) {
    memberState
    id
    givenName
    familyName
    status
    documents { number kind issuingState }
    financialMeasures { kind since institution amount currency legalBasis }
    listings { list listedSince reason }
  }
}
`,
    },
    {
      id: 'organisation',
      title: 'Members of an organisation across states',
      variables: json({ name: 'Katibat al-Muhajirin' }),
      query: `# Members of an organisation across states.
# Every state records the organisation under its own spelling
# (al-Muhajirin, al-Mouhajirine, al-Muhadjirin, ...); the name
# search is tolerant, so one query finds them all, ranked by
# matchScore. Each state lists the members it knows: together
# they show the whole network.
query OrganisationAcrossStates($name: String!) {
  organisations(filter: { name: $name }) {
    memberState
    id
    name
    kind
    aliases
    matchScore
    contact { agency reference }
    members {
      role
      since
      person { memberState id givenName familyName status }
    }
  }
}
`,
    },
    {
      id: 'hits',
      title: 'Hits on our records (duty officers)',
      variables: json({ since: `${daysBefore(today, 30)}T00:00:00Z` }),
      query: `# Hits on our records (duty officers).
# Your own state tells you when a partner's request returned one
# of the records its release policy flags (notifyOnHits): who
# asked (state, agency, subject), for which purpose and case,
# which record, when, and what was released with it. Only your
# own state's callers with the role duty get them: anyone else
# gets NOT_RELEASED from their own state, nothing from others.
# requestId finds the request in the owner's and the gateway's
# audit logs (hague audit export --request-id).
query HitsOnOurRecords($since: DateTime) {
  hitNotifications(since: $since, first: 100) {
    at
    memberState
    recordType
    record
    callerState
    callerAgency
    callerSubject
    purpose
    caseReference
    requestId
    released
    id
  }
}
`,
    },
    {
      id: 'subject',
      title: 'One subject across states: route, money, links, alerts (analyst)',
      variables: json({ documentNumber: 'EM482913' }),
      query: `# For an analyst (purpose counter-terrorism; an FIU officer with
# financial:read and purpose terrorism-financing also sees money).
# The gateway links the states' records of one person by the match
# keys their owners release to you, and merges what each released:
# one route in time order, money, links, listings, each fact with
# its source (state, record, handling code, evaluation). alerts:
# what no single state sees. withheld: what each owner kept back
# and whom to call. Nothing is stored; a BE analyst sees NL, BE and
# FR as one subject, a DE analyst a weaker link and less.
query SubjectAcrossStates($documentNumber: String!) {
  subjects(filter: { documentNumber: $documentNumber }) {
    id
    heldBy
    linkedBy
    confidence
    names { givenName familyName alias source { memberState } }
    travel {
      movement { at from { city country } to { city country } mode carrier reference planned }
      source { memberState recordId handling { code restriction } evaluation { source information } }
    }
    organisations { name kind role source { memberState handling { code } } }
    listings { listing { list listedSince action } source { memberState } }
    alerts { kind message sources { memberState recordId } }
    withheld { memberState recordId fields reasons contact { agency phone email reference } }
    contacts { memberState recordId contact { agency phone reference } }
  }
}
`,
    },
  ];
}
