import { Type } from 'typebox';

/** The fields every GitHub action starts with: the connection, and the repository (the connection's by default). */
export const REPOSITORY_FIELDS = {
  connection: Type.String({ title: 'Connection', minLength: 1, description: 'The GitHub connection (name)' }),
  owner: Type.Optional(
    Type.String({
      title: 'Repository owner',
      placeholder: 'acme',
      minLength: 1,
      description: "The repository owner; default the connection's owner",
    }),
  ),
  repo: Type.Optional(
    Type.String({
      title: 'Repository',
      placeholder: 'api',
      minLength: 1,
      description: "The repository name; default the connection's repo",
    }),
  ),
};
