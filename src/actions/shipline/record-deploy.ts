import { Type } from 'typebox';
import { defineAction } from '../../engine/define-action.js';

const Config = Type.Object(
  {
    service: Type.String({ title: 'Service', description: 'An alias of the service' }),
    description: Type.String({ title: 'Description' }),
    deployed_at: Type.Optional(Type.String({ title: 'Deployed at', placeholder: '2026-01-31T09:00:00Z', description: 'Default: now' })),
    environment: Type.Optional(Type.String({ title: 'Environment', placeholder: 'production' })),
    deployer: Type.Optional(
      Type.Object(
        {
          email: Type.Optional(Type.String({ title: 'Email' })),
          name: Type.Optional(Type.String({ title: 'Name' })),
          id: Type.Optional(Type.String({ title: 'ID' })),
        },
        { title: 'Deployer' },
      ),
    ),
    deploy_url: Type.Optional(Type.String({ title: 'Deploy URL', placeholder: 'https://ci.example.com/deploys/42' })),
    deploy_number: Type.Optional(Type.Union([Type.String(), Type.Number()], { title: 'Deploy number' })),
    dedup_id: Type.Optional(
      Type.String({ title: 'Deduplication ID', description: "Default: the step's idempotency key, so a repeat records nothing twice" }),
    ),
    commit: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { title: 'Commit' })),
    status: Type.Optional(
      Type.Union([Type.Literal('succeeded'), Type.Literal('failed')], {
        title: 'Status',
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
