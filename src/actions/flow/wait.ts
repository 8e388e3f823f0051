import { Type } from 'typebox';
import { defineAction } from '../../engine/define-action.js';
import { NonRetriableError } from '../../engine/action.js';
import { Duration, requireDuration } from '../../core/duration.js';
import { errorMessage } from '../../core/error-message.js';

const Config = Type.Object(
  {
    duration: Type.Optional(Duration('How long to wait, e.g. "10m"', { title: 'Duration', placeholder: '10m' })),
    until: Type.Optional(
      Type.String({ title: 'Until', placeholder: '2026-01-31T09:00:00Z', description: 'An ISO 8601 time to wait until' }),
    ),
  },
  { additionalProperties: false },
);

/** Pauses the run for a duration or until a time; the wait is a stored timer, so it survives restarts. */
export const waitAction = defineAction({
  name: 'wait',
  description: 'Waits for a duration or until a time, then continues on success.',
  channels: ['success', 'failed'],
  config: Config,
  exampleOutput: { waitedUntil: '2026-01-01T00:10:00.000Z' },
  async run(ctx, config) {
    let until: number;
    if (config.until !== undefined) {
      until = Date.parse(config.until);
      if (Number.isNaN(until)) throw new NonRetriableError(`until: not an ISO 8601 time: ${config.until}`);
    } else {
      if (config.duration === undefined) throw new NonRetriableError('wait needs `duration` (e.g. "10m") or `until` (an ISO 8601 time)');
      let ms: number;
      try {
        ms = requireDuration(config.duration);
      } catch (err) {
        throw new NonRetriableError(`duration: ${errorMessage(err)}`);
      }
      until = ctx.now().getTime() + ms;
    }
    const deadline = new Date(until).toISOString();
    if (until <= ctx.now().getTime()) return { channel: 'success', output: { waitedUntil: deadline } };
    ctx.log(`waiting until ${deadline}`);
    return { wait: true, correlate: [], deadline, state: { until: deadline } };
  },
  async resume(_ctx, _config, state) {
    return { channel: 'success', output: { waitedUntil: (state as { until: string }).until } };
  },
});
