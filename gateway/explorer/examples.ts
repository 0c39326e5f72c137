import type { Purpose } from '../../common/caller.ts';
import { describePersona } from '../dev-personas.ts';

/**
 * Saved example queries of the explorer. Each tells one story of the demo network (`npm start`) to
 * one caller: it names the dev persona and the purpose it is written for, and says in one line what
 * that caller will see. Picking an example opens it in a new GraphiQL tab and, in dev mode, switches
 * to its persona and purpose (in production only the purpose, with a note on the role it needs).
 *
 * They are written against the contract (schema/member.graphql): test/explorer-assets.test.ts
 * validates each one against it, and test/explorer-examples.test.ts runs each one against a live
 * network as its persona and checks that it returns data and no errors besides those it declares
 * (`expectWithheld`). Values (passport numbers, list and organisation names) come from the demo
 * data; in a real network the analyst replaces them in the Variables pane.
 */

export interface ExplorerExample {
  /** Stable id: the value of the example picker's option (`#example`), for tests and links. */
  id: string;
  /** What the analyst sees in the picker. */
  title: string;
  /** The dev persona the story is written for (an id of gateway/dev-personas.ts: `BE-analyst`, `NL-duty`). */
  persona: string;
  /** The same caller in words, for production where there are no personas: state, roles, clearance, scopes. */
  caller: string;
  /** The purpose (X-Hague-Purpose) the story is written for. */
  purpose: Purpose;
  /** One line: what the persona sees when it runs the example. */
  shows: string;
  /**
   * What the persona is told it may not see, by design of the story: each entry is the `field` of a
   * NOT_RELEASED error the answer carries (`Person.financialMeasures`, `persons(filter.listedOn)`).
   * Any other error means the example no longer tells its story.
   */
  expectWithheld?: string[];
  /** The id of an example whose run (by its own persona) the story needs first: the hits need a partner's search. */
  runAfter?: string;
  /** The GraphQL document; its header comment names the persona, the purpose and what to look at. */
  query: string;
  /** The Variables pane, as JSON text (GraphiQL edits text, not objects). */
  variables: string;
}

/** ISO date `days` before `today` (UTC): "the last 30 days" must mean the day the page was opened. */
function daysBefore(today: Date, days: number): string {
  return new Date(today.getTime() - days * 86_400_000).toISOString().slice(0, 10);
}

/** ISO date `days` after `today` (UTC). */
const daysAfter = (today: Date, days: number) => daysBefore(today, -days);

const json = (value: Record<string, unknown>) => JSON.stringify(value, null, 2);

/** `text` as `# ` comment lines of at most 68 characters. */
function comment(text: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > 66) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => `# ${l}`).join('\n');
}

type Story = Omit<ExplorerExample, 'caller' | 'query'> & {
  /** How to read the answer: the rest of the header comment. */
  read: string;
  /** The operation itself. */
  operation: string;
};

function example(story: Story): ExplorerExample {
  const caller = describePersona(story.persona);
  if (!caller) throw new Error(`explorer example ${story.id}: no dev persona ${story.persona}`);
  const { read, operation, ...rest } = story;
  const header = [
    comment(`${story.title}.`),
    comment(`Written for: ${caller}, purpose ${story.purpose} (dev persona ${story.persona}; picking the example switches to it).`),
    comment(`You will see: ${story.shows}`),
    '#',
    comment(read),
  ].join('\n');
  return { ...rest, caller, query: `${header}\n${operation}` };
}

/** The examples, with date variables relative to `today` (config.json is built per request). The first is the tour's and the first tab on a first visit. */
export function explorerExamples(today: Date = new Date()): ExplorerExample[] {
  return [
    example({
      id: 'subject',
      title: 'One passport across the network: who, route, money, links',
      persona: 'BE-analyst',
      purpose: 'counter-terrorism',
      shows:
        'one subject held by NL, BE and FR; its route Brussels -> Istanbul -> Gaziantep -> Kilis and back to Amsterdam in time order, a trip to Istanbul booked; the freeze in NL and the cash withdrawn and wired in BE after it; its organisation; the alerts no single state would raise.',
      read: "The gateway links the states' records of one person by the match keys their owners release to you and merges what each released, every fact with its source (state, record, handling code, evaluation). alerts: what no single state sees. withheld: what an owner kept back, with whom to call. Nothing is stored. Set the passport number in the Variables pane.",
      variables: json({ documentNumber: 'EM482913' }),
      operation: `query SubjectAcrossStates($documentNumber: String!) {
  subjects(filter: { documentNumber: $documentNumber }) {
    id
    heldBy
    linkedBy
    confidence
    records {
      memberState id givenName familyName dateOfBirth status
      handling { code restriction }
      evaluation { source information }
      contact { agency phone reference }
    }
    names { givenName familyName alias source { memberState } }
    travel {
      movement { at from { city country } to { city country } mode carrier reference planned }
      source { memberState recordId handling { code restriction } evaluation { source information } }
    }
    financialMeasures {
      measure { kind since institution amount currency legalBasis }
      source { memberState recordId handling { code } evaluation { source information } }
    }
    organisations { name kind role since source { memberState recordId handling { code } evaluation { source information } } }
    listings { listing { list listedSince action } source { memberState recordId handling { code } evaluation { source information } } }
    alerts { kind message sources { memberState recordId } }
    withheld { memberState recordId fields reasons contact { agency phone email reference } }
    contacts { memberState recordId contact { agency phone reference } }
  }
}
`,
    }),
    example({
      id: 'passport',
      title: 'Every record on passport X, state by state',
      persona: 'BE-analyst',
      purpose: 'counter-terrorism',
      shows:
        "three records, NL's Belhawari, BE's Belhaouari and FR's Belhaouary, each in full: documents, travel legs, the NL freeze and the BE withdrawals, listings, affiliations and background, with each owner's contact point.",
      read: 'Each state that holds a record answers with what its release rules give you: identity (tier SUMMARY); documents, travel, money, listings, links and background (tier FULL). A withheld field is null with a NOT_RELEASED error naming the state and its reason (run this as DE CT analyst to see that); a state that did not answer is MEMBER_UNAVAILABLE. The first example links these records into one subject.',
      variables: json({ documentNumber: 'EM482913' }),
      operation: `query PassportDossier($documentNumber: String!) {
  persons(filter: { documentNumber: $documentNumber }) {
    memberState
    id
    contact { agency unit email phone reference }
    handling { code restriction }
    evaluation { source information }
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
    }),
    example({
      id: 'partner-view',
      title: 'The same passport as a partner released less (withheld, whom to call)',
      persona: 'DE-analyst',
      purpose: 'counter-terrorism',
      shows:
        'the three records linked more weakly, by name and date of birth only (NL, BE and FR release Germany a summary, without documents), their names and statuses, no travel, listings or links, and per owner what it withheld from a German caller with its reason and the contact point to call.',
      read: "NL, BE and FR release Germany the SUMMARY tier: identity, not travel, money, listings or links. withheld lists, per record, the fields kept back and why; contacts says whom to ask, with the owner's reference to quote.",
      variables: json({ documentNumber: 'EM482913' }),
      operation: `query SubjectAsPartner($documentNumber: String!) {
  subjects(filter: { documentNumber: $documentNumber }) {
    id
    heldBy
    linkedBy
    confidence
    names { givenName familyName alias source { memberState recordId } }
    records { memberState id givenName familyName dateOfBirth nationalities status }
    travel { movement { at from { city } to { city } planned } source { memberState } }
    listings { listing { list } source { memberState } }
    organisations { name kind source { memberState } }
    withheld { memberState recordId fields reasons contact { agency unit phone email reference } }
  }
}
`,
    }),
    example({
      id: 'istanbul',
      title: 'Trips booked to or through Istanbul in the next 60 days',
      persona: 'BE-border',
      purpose: 'border-security',
      shows:
        "the persons NL, BE and FR know to have a trip booked to or through Istanbul between $from and $until, each as a subject with its travel and the owner's contact point, and a PLANNED_TRIP alert for a departure in the coming days (Belhawari's Amsterdam -> Istanbul flight among them).",
      read: 'travelPlace finds persons by a movement from or to a place (city and/or country), plannedOnly by a trip booked but not yet made. A search by travel reveals travel, so each owner answers it only for callers it releases travel to in full: DE and ES release BE a summary, so this asks NL, BE and FR (memberStates). A border guard gets no money (no financial:read scope) nor, from FR, affiliations: withheld names what each owner kept back. $from is today, $until today plus 60 days.',
      variables: json({ from: daysAfter(today, 0), until: daysAfter(today, 60) }),
      operation: `query TravelThroughIstanbul($from: Date!, $until: Date!) {
  subjects(
    filter: { travelPlace: { city: "Istanbul", plannedOnly: true, from: $from, until: $until } }
    memberStates: [NL, BE, FR]
  ) {
    id
    heldBy
    names { givenName familyName source { memberState } }
    records { memberState id dateOfBirth nationalities status contact { agency phone reference } }
    travel {
      movement { at from { city country } to { city country } mode carrier reference planned }
      source { memberState recordId }
    }
    alerts { kind message }
    withheld { memberState recordId fields }
  }
}
`,
    }),
    example({
      id: 'freeze-evasion',
      title: 'A freeze in one state, cash across the border (FIU)',
      persona: 'BE-fiu',
      purpose: 'terrorism-financing',
      shows:
        "one subject held by NL, BE and DE: the asset freeze at NL's bank, then cash withdrawals and a transfer in Belgium in the days after it, with a FREEZE_EVASION alert; DE's money facts withheld (Germany releases BE a summary only).",
      read: "NL releases financial measures to FIU officers for terrorism-financing; BE is your own state. Each measure carries its source state and record. The alert is what no single state sees: a freeze in one, money moving in another after it. FR lets only SECRET callers search by passport number: its NOT_RELEASED note says so (a CONFIDENTIAL FIU officer asks FR's contact point instead).",
      expectWithheld: ['persons(filter.documentNumber)'],
      variables: json({ documentNumber: 'NR5K8T2H4' }),
      operation: `query FreezeAndWithdrawals($documentNumber: String!) {
  subjects(filter: { documentNumber: $documentNumber }) {
    id
    heldBy
    linkedBy
    names { givenName familyName source { memberState } }
    financialMeasures {
      measure { kind since institution amount currency legalBasis }
      source { memberState recordId handling { code restriction } evaluation { source information } }
    }
    alerts { kind message sources { memberState recordId } }
    withheld { memberState recordId fields reasons contact { agency phone reference } }
  }
}
`,
    }),
    example({
      id: 'national-list',
      title: 'Everyone on the Dutch national terrorism list',
      persona: 'BE-analyst',
      purpose: 'counter-terrorism',
      shows: 'the persons NL lists on its national terrorism list, in one query, each with the listing (since when, why, what to do on a hit).',
      read: 'listedOn finds persons by a listing whose name contains the text. A search by listing reveals listings: NL allows it to the partners it releases listings to in full (BE, FR), so this asks NL only (memberStates); extensions.hague.states.NL says how many it returned and whether more exist.',
      variables: json({ list: 'NL national terrorism list' }),
      operation: `query NationalList($list: String!) {
  persons(filter: { listedOn: $list }, memberStates: [NL], first: 100) {
    memberState
    id
    givenName
    familyName
    dateOfBirth
    status
    listings { list listedSince reason action }
  }
}
`,
    }),
    example({
      id: 'organisation',
      title: 'Members of an organisation across states',
      persona: 'BE-analyst',
      purpose: 'counter-terrorism',
      shows:
        'the persons NL, BE and FR link to Katibat al-Muhajirin under any spelling of its name, each as a subject with its role in the group and the states that hold it.',
      read: "organisation finds persons by an affiliation: the organisation's name or alias in any spelling (al-Muhajirin, al-Mouhajirine, al-Muhadjirin), or an owner's id of its record. It reveals affiliations, so it is asked of the states that release them to BE in full (memberStates).",
      variables: json({ organisation: 'Katibat al-Muhajirin' }),
      operation: `query OrganisationAcrossStates($organisation: String!) {
  subjects(filter: { organisation: $organisation }, memberStates: [NL, BE, FR]) {
    id
    heldBy
    confidence
    names { givenName familyName source { memberState } }
    organisations { memberState id name kind role since source { memberState } }
    alerts { kind message }
  }
}
`,
    }),
    example({
      id: 'hits',
      runAfter: 'subject',
      title: 'Hits on our records (duty officers)',
      persona: 'NL-duty',
      purpose: 'counter-terrorism',
      shows:
        "who in which partner state asked about one of NL's flagged persons (listed, fighters, returnees), for which purpose and case, and what NL released: empty until a partner has asked, so run the first example as BE CT analyst, then this one.",
      read: "Your own state tells you when a partner's request returned one of the records its release policy flags (notifyOnHits). Only your own state's callers with the role duty get them: anyone else gets NOT_RELEASED from their own state, nothing from others. The Inbox button shows the same. requestId finds the request in the owner's and the gateway's audit logs (hague audit export --request-id).",
      variables: json({ since: `${daysBefore(today, 30)}T00:00:00Z` }),
      operation: `query HitsOnOurRecords($since: DateTime) {
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
    }),
  ];
}
