import * as z from "zod/mini";

/**
 * What the admin checked, required of every staff resolution's request. A module of its own: the
 * claims (`claims.ts`) are also read by what settles parked records without a request.
 */
export const resolutionNoteSchema = z
  .string({ error: "note is required: say what you checked at the POS" })
  .check(
    z.trim(),
    z.minLength(1, "note is required: say what you checked at the POS"),
    z.maxLength(500, "note is at most 500 characters"),
  );
