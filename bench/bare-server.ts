// The ceiling for bench/ingest.ts: a Fastify 5 server that accepts the deploy webhook and does
// nothing else. Same framework, same default JSON body parsing, no logging, so the difference to
// Shipline is exactly the work Shipline does per deploy. Run as its own process (like Shipline)
// so neither competes with the load generator's event loop.
import Fastify from 'fastify';

const app = Fastify({ logger: false });

app.post('/integrations/deploy/:id', async (_request, reply) => reply.status(202).send({ result: 'ok' }));

const address = await app.listen({ port: 0, host: '127.0.0.1' });
// The parent waits for this line, as it does for Shipline's own.
process.stdout.write(`Bare Fastify listening on ${address}\n`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
