import type { Action } from '../engine/action.js';
import { approvalAction } from './flow/approval.js';
import { waitAction } from './flow/wait.js';
import { httpRequestAction } from './http/request.js';
import { createScriptAction } from './script/script.js';
import { emitAction } from './shipline/emit.js';
import { recordDeployAction } from './shipline/record-deploy.js';

export interface BuiltinOptions {
  /** SHIPLINE_SCRIPTS=enabled */
  scriptsEnabled: boolean;
  /** The directory holding the `shipline` CLI, put first on a script's PATH; default this installation's `bin/`. */
  binDir?: string;
  /** SHIPLINE_SCRIPT_USER: who scripts run as when Shipline runs as root; default `nobody`. */
  scriptUser?: string | undefined;
  /** What a script's user must not be able to read: the data directory and secret files. */
  privatePaths?: readonly string[];
}

/** Every action Shipline ships, in one list: the registry and the docs are built from it. */
export function builtinActions(options: BuiltinOptions): Action[] {
  return [
    httpRequestAction,
    createScriptAction({
      enabled: options.scriptsEnabled,
      ...(options.binDir ? { binDir: options.binDir } : {}),
      user: options.scriptUser,
      privatePaths: options.privatePaths ?? [],
    }),
    approvalAction,
    waitAction,
    emitAction,
    recordDeployAction,
  ];
}
