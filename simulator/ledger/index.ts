export { DeliveryLedger } from './ledger.js';
export type { DeliveryCounts, DeliveryInput, DeliveryLedgerOptions, DeliveryRecord, ExpectedTraffic, LedgerProvider, LedgerSummary } from './ledger.js';
