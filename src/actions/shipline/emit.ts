import { Type } from 'typebox';
import { defineAction } from '../../engine/define-action.js';
import { NonRetriableError } from '../../engine/action.js';

const Config = Type.Object(
  {
    type: Type.String({
      title: 'Event type',
      placeholder: 'release.approved',
      minLength: 1,
      description: "The new event's type, e.g. release.approved",
    }),
    data: Type.Optional(Type.Unknown({ title: 'Data', description: "The event's data (templated leaf by leaf)" })),
  },
  { additionalProperties: false },
);

const TYPE = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9_-]+)*$/i;

/** Stores a new event, which may start other reactions: how reactions chain on each other. */
export const emitAction = defineAction({
  name: 'emit',
  description: 'Stores a new event of the given type with templated data.',
  channels: ['success', 'failed'],
  config: Config,
  exampleOutput: { eventId: '01920000-0000-7000-8000-000000000000', type: 'release.approved' },
  async run(ctx, config) {
    if (!TYPE.test(config.type)) throw new NonRetriableError(`type: '${config.type}' is not a dotted event type`);
    if (config.type.startsWith('run.')) throw new NonRetriableError("type: run.* events are Shipline's own");
    const event = await ctx.emit(config.type, config.data ?? {});
    ctx.log(`emitted ${event.type} ${event.id}`);
    return { channel: 'success', output: { eventId: event.id, type: event.type } };
  },
});
