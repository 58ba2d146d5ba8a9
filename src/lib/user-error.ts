/*
 * A mistake a user (or a client) can make — a bad config key, a device spec that does not
 * parse, a scheduling key the running policy lacks, a xenstore path that is not there —
 * as opposed to a bug. Transports print its message as one line (the CLI) or return it as
 * a 4xx error (the API); every such error class in the project extends this one.
 */
export class UserError extends Error {}
