/** Thrown when a file cannot be edited in place; the message says why (it is shown to the user). */
export class EditError extends Error {}
