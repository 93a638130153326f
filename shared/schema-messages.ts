/**
 * The English messages of every schema's issues. `zod/mini` ships none: without this module a
 * refused value would read "Invalid input" whatever was wrong with it. Imported for its effect by
 * the modules every validation passes through (configuration and the HTTP problem answers), so the
 * texts are those classic zod gives by default. Only the English locale: `z.locales` would bundle
 * all of them.
 */
import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

config(en());
