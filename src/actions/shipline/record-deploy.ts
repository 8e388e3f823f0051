import { Type } from 'typebox';
import { defineAction } from '../../engine/define-action.js';

const Config = Type.Object(
  {
    service: Type.String({ description: 'An alias of the service' }),
    description: Type.String(),
    deployed_at: Type.Optional(Type.String({ description: 'Default: now' })),
    environment: Type.Optional(Type.String()),
    deployer: Type.Optional(
      Type.Object({ email: Type.Optional(Type.String()), name: Type.Optional(Type.String()), id: Type.Optional(Type.String()) }),
    ),
    deploy_url: Type.Optional(Type.String()),
    deploy_number: Type.Optional(Type.Union([Type.String(), Type.Number()])),
    dedup_id: Type.Optional(Type.String({ description: "Default: the step's idempotency key, so a repeat records nothing twice" })),
    commit: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    status: Type.Optional(
      Type.Union([Type.Literal('succeeded'), Type.Literal('failed')], {
        description: 'Default: succeeded; failed also stores deploy.failed',
      }),
    ),
  },
  { additionalProperties: false },
);

/**
 * Records a deploy in the catalog exactly as the deploy webhook would (same fields, same rules,
 * same results), e.g. from an Octopus deployment event or an external webhook.
 */
export const recordDeployAction = defineAction({
  name: 'deploy.record',
  description: 'Records a deploy in the catalog as the deploy webhook would.',
  channels: ['success', 'failed'],
  config: Config,
  exampleOutput: { result: 'ok', deploy: { id: '01920000-0000-7000-8000-000000000000', deployNumber: '12' } },
  async run(ctx, config) {
    const payload = {
      deployed_at: ctx.now().toISOString(),
      deployer: { name: 'Shipline reaction' },
      dedup_id: ctx.idempotencyKey,
      ...config,
    };
    const outcome = await ctx.recordDeploy(payload);
    ctx.log(`deploy.record: ${outcome.result}`);
    if (outcome.errors) return { channel: 'failed', output: { result: outcome.result, errors: outcome.errors } };
    return { channel: 'success', output: outcome };
  },
});
