/**
 * How long a pool's connection may sit unused before the pool closes it (the ledger's and the leases' pools): 5
 * minutes, where `pg` closes one after 10 s. A connection is a PostgreSQL backend started for it and the hot
 * statements prepared on it again; at an everyday pace (a payment every few seconds, then a quiet spell) the 10 s
 * default closed connections between payments and the next ones paid to open them again. The replica bench's idle
 * column showed it: a sixth of an idle replica's main-thread CPU was connections closing and opening.
 */
export const POOL_IDLE_MS = 5 * 60_000;
