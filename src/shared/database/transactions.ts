/**
 * Runs work in one database transaction that repositories of every context join: the port
 * application services use when a use case writes through more than one context (an RFID
 * stop closes a use and adds to the machine's hours: both or neither).
 *
 * Nested calls join the outer transaction. Implemented by TypeormTransactions.
 */
export abstract class Transactions {
  abstract run<T>(work: () => Promise<T>): Promise<T>;
}
