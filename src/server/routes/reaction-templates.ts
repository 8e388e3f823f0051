import { templateGallery } from '../../integrations/template-gallery.js';
import { ErrorResponses, List } from '../schemas.js';
import { ReactionTemplateView } from '../template-schemas.js';
import type { App } from './types.js';

/** The ready-made reactions the web UI's gallery fills in: declarations only, the same for every caller. */
export function reactionTemplateRoutes() {
  // Built on the first request, then kept: the templates are part of the code, and a start need not parse them (decision 0028).
  let gallery: { items: ReturnType<typeof templateGallery> } | undefined;
  return async (app: App) => {
    app.get(
      '/reaction-templates',
      {
        config: { minRole: 'read' },
        schema: {
          summary: 'List the ready-made reactions, with the blanks to fill in (connection, channel, environment...) and how to pick each',
          description:
            "The same templates as `shipline reactions init`. Apply one by setting each blank's value at every spot in `at`, then PUT each document to /api/v1/reactions/:name. No secret value is ever part of a template: secrets stay `{{ secrets.NAME }}` placeholders.",
          tags: ['reactions'],
          response: { 200: List(ReactionTemplateView), ...ErrorResponses },
        },
      },
      async () => (gallery ??= { items: templateGallery() }),
    );
  };
}
