/**
 * A typed injection token: a symbol that remembers the type registered under it. Core does not depend on
 * tsyringe; tsyringe accepts symbols as tokens, and the runner casts at its one composition root.
 */
export type InjectionToken<T> = symbol & { readonly __type?: T };
