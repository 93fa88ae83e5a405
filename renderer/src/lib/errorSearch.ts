/**
 * What an Error text search matches: the error as the store keeps it, its times in UTC as the engine wrote
 * them, not as the console shows it with its times in the reader's zone. A shown time copied into the box
 * would find nothing; an error's hover gives the stored text to copy.
 */
export const ERROR_SEARCH_HINT = "Matches the error as stored, with its times in UTC as the engine wrote them (2026-03-14T01:59:26.000Z), not as shown in your zone: hover an error to see its stored text.";

/** The box's placeholder: the same, short. */
export const ERROR_SEARCH_PLACEHOLDER = 'text of the stored error, times in UTC';
