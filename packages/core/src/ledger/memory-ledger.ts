// Placeholder until the in-memory ledger lands.
export class MemoryLedger {}
