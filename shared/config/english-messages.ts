import english from 'zod/v4/locales/en.js';
import * as z from 'zod/mini';

/**
 * zod/mini, unlike classic zod, sets no locale: without one every message zod writes itself reads "Invalid input".
 * Slipway quotes those messages in its refusals (a 422's issues), its start-up errors and its logs, so English is
 * set once for the process. The configuration and the API's shared shapes import this module, so every process
 * that parses anything has it before its first parse.
 */
z.config(english());
