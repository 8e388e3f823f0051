import type { Command } from 'commander';
import { registerAdminCommands } from './admin.js';
import { registerConnectionCommands } from './connections.js';
import { registerDemoCommand } from './demo.js';
import { registerDeployCommands } from './deploys.js';
import { registerEndpointCommands } from './endpoints.js';
import { registerEventCommands } from './events.js';
import { registerInsightCommands } from './insights.js';
import { registerOctopusCommands } from './octopus.js';
import { registerOctopusSimCommand } from './octopus-sim.js';
import { registerReactionCommands } from './reactions.js';
import { registerRunCommands } from './runs.js';
import { registerSecretCommands } from './secrets.js';
import { registerServerCommands } from './server.js';
import { registerServiceCommands } from './services.js';
import { registerSuggestionCommands } from './suggestions.js';
import { registerTokenCommands } from './tokens.js';
import { registerUserCommands } from './users.js';
import { registerWebhookCommands } from './webhooks.js';
import { newProgram } from './program.js';

/** The whole CLI: every command. */
export function buildProgram(): Command {
  const program = newProgram();
  registerServerCommands(program);
  registerAdminCommands(program);
  registerTokenCommands(program);
  registerUserCommands(program);
  registerServiceCommands(program);
  registerEndpointCommands(program);
  registerDeployCommands(program);
  registerSuggestionCommands(program);
  registerInsightCommands(program);
  registerReactionCommands(program);
  registerRunCommands(program);
  registerEventCommands(program);
  registerSecretCommands(program);
  registerWebhookCommands(program);
  registerConnectionCommands(program);
  registerOctopusCommands(program);
  registerOctopusSimCommand(program);
  registerDemoCommand(program);
  return program;
}
