import { Schema } from "effect"

/** A backup could not be made, read or restored; `message` says why in one line. */
export class BackupError extends Schema.TaggedError<BackupError>()("BackupError", { message: Schema.String }) {}
