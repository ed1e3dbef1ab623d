// Small pieces the room's views share: the way to sign in first and come
// back, and the common failures in words.
import { explain, waitWords } from './api.js';

export { signInFirst } from './session.js';

// The failures any request can meet (api.js), in the reader's language.
export const explainIn = (err) => explain(err);

// Seconds as words for "try again in ...".
export const waitIn = (seconds) => waitWords(seconds);
