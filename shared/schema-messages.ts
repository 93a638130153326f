/**
 * The English messages of every schema's issues. `zod/mini` ships none: without this module a
 * refused value would read "Invalid input" whatever was wrong with it. Imported for its effect by
 * the HTTP problem answers (`http/problem.ts`), where a refused value reaches a person as text, so
 * the texts are those classic zod gives by default; the configuration words its own (`config.ts`),
 * and the other functions (saga tasks, scheduled jobs) do without its ~3 KB. Only the English
 * locale: `z.locales` would bundle all of them.
 */
import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

config(en());
