/**
 * The new-reaction form's path. A reaction name starts with a letter or digit (NAME_PATTERN), so
 * no name is `-` and every name, `new` included, keeps its own page at `/reactions/<name>`.
 */
export const NEW_REACTION_PATH = '/reactions/-/new';
