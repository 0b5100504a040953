// Errors a user can cause. The CLI prints their message on one line and exits 2.
export class UsageError extends Error {}
