// ---------------------------------------------------------------------------------------------
// Enums of the contract (schema/member.graphql), exactly
// ---------------------------------------------------------------------------------------------

export type SubjectStatus = 'SUSPECT' | 'FOREIGN_TERRORIST_FIGHTER' | 'RETURNEE' | 'CONVICTED' | 'ASSOCIATE' | 'CLOSED';
export type DocumentKind = 'PASSPORT' | 'IDENTITY_CARD' | 'RESIDENCE_PERMIT' | 'DRIVING_LICENCE' | 'VISA';
export type TravelMode = 'AIR' | 'RAIL' | 'ROAD' | 'SEA' | 'BORDER_CROSSING';
export type FinancialMeasureKind = 'ASSET_FREEZE' | 'CASH_WITHDRAWAL' | 'MONEY_TRANSFER' | 'SUSPICIOUS_TRANSACTION_REPORT' | 'ACCOUNT_CLOSURE';
export type OrganisationKind = 'TERRORIST' | 'ORGANISED_CRIME' | 'FACILITATION_NETWORK' | 'FRONT_COMPANY';
