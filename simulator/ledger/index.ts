export { DeliveryLedger } from './ledger.js';
export type { DeliveryCounts, DeliveryInput, DeliveryLedgerOptions, DeliveryRecord, LedgerProvider, LedgerSummary } from './ledger.js';
