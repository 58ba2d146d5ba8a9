/* The shape of one CLI command: a row of the command table (cf. xl's xl_cmdtable.c). */

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit status. Throws UsageError for bad arguments. */
  run(args: string[]): Promise<number>;
}

/** A mistake in how the command was called: printed as one line plus the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
