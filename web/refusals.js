// The server's refusals of what a member typed, in the reader's language.
//
// The error code says which field was refused (invalid_handle,
// invalid_display_name, invalid_bio, weak_passphrase); its English
// message says why, and has no code of its own. So the reasons below are
// the server's messages (src/api/names.c, src/api/bodies.c) mapped to
// keys of the strings files by what they mean. A message not listed here
// (the server learnt a new rule) falls back to the field's general words.
import { t } from './i18n.js';

const REASONS = {
  'a handle is 3 to 20 characters': 'handle_length',
  "a handle may hold only the letters a-z, digits and '_'": 'handle_chars',
  'control characters and line breaks are not allowed': 'control',
  'bidirectional control characters are not allowed': 'bidi',
  'invisible formatting characters are not allowed': 'format',
  'private-use and unassigned characters are not allowed': 'unassigned',
  'invisible characters are not allowed': 'invisible',
  'a joiner must sit between two characters': 'joiner',
  'a combining mark must follow a letter': 'mark_start',
  'too many combining marks on one character': 'marks',
  'too many lines': 'lines',
  'text is not valid UTF-8': 'encoding',
  'text cannot be normalized': 'encoding',
  'a name needs at least one visible letter, digit or symbol': 'nothing_visible',
  'a display name is at most 50 characters': 'name_long',
  'a title is at most 100 characters': 'title_long',
  'a bio is at most 160 characters': 'bio_long',
  'a passphrase needs at least 10 characters': 'pass_short',
  'the passphrase cannot be the handle': 'pass_handle',
  'a passphrase is at most 1024 bytes': 'pass_long',
  'a passphrase cannot contain NUL': 'pass_nul',
  'a passphrase must be valid UTF-8': 'pass_encoding',
};

// The field each code refuses, for the general words.
const FIELDS = {
  invalid_handle: 'handle',
  invalid_display_name: 'name',
  invalid_bio: 'bio',
  invalid_title: 'title',
  weak_passphrase: 'pass',
};

export const isFieldRefusal = (err) => Object.hasOwn(FIELDS, err.code);

// Why the server refused a field, in words: a reason may read differently
// for a bio (where line breaks are fine) than for a name.
export function fieldRefusal(err) {
  const fieldName = FIELDS[err.code];
  const reason = REASONS[err.message];
  if (reason) {
    const special = t(`reason.${reason}.${fieldName}`);
    if (special !== `reason.${reason}.${fieldName}`) return special;
    return t(`reason.${reason}`);
  }
  return t(`reason.refused.${fieldName}`);
}
