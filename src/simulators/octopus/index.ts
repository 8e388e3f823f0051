/**
 * The Octopus stand-in: a local server speaking Octopus Deploy's REST API (spaces, projects,
 * releases, deployments, tasks, events, subscriptions and webhook delivery) for tests,
 * benchmarks and demos. See docs/octopus-sim.md.
 */
export { startOctopusSim } from './server.js';
export type { OctopusSim, OctopusSimOptions } from './server.js';
export { DEFAULT_SEED, loadSeedFile, parseSeed } from './seed.js';
export type { OctopusSimSeed } from './seed.js';
export { DEFAULT_API_KEY } from './state.js';
export type { DeliverySettings } from './context.js';
export type { DeliveryRecord } from './delivery.js';
export type { FaultRule } from './faults.js';
export type { OutcomeRule, OutcomeState } from './outcomes.js';
export type { RecordedRequest } from './request-log.js';
export type { FinalTaskState, HealthStatus, SimState, TaskState } from './types.js';
