// The one place where failures become the contract's errors: a ContractFailure carries one as
// it is; every domain's own error (a refused preflight, a service that failed, a refused or
// rolled-back config, bad arguments) is mapped to its stable code here and nowhere else.
import { Unsupported } from '../target/target.js';
import { ZodError } from 'zod';
import { ApplyRefused, ApplyRolledBack } from '../config/change.js';
import type { ContractError, ErrorCode } from '../contract.js';
import { TimeoutError } from '../engine/timeout.js';
import { ImageError } from '../images/images.js';
import { SettingsDamaged } from '../images/settings.js';
import { PrometheusUnreachable } from '../prom/read.js';
import { PreflightError, ServiceFailed } from '../stack/stack.js';
import { SwarmError } from '../swarm/swarm.js';
import { WorkbenchError } from '../rules/files.js';
import { TrafficBusy, TrafficError } from '../traffic/runs.js';

export class ContractFailure extends Error {
  constructor(readonly error: ContractError) {
    super(error.message);
  }
}

/** Throws a contract error with this code. */
export function fail(code: ErrorCode, message: string): never {
  throw new ContractFailure({ code, message });
}

/** Any failure as the data that crosses the contract. */
export function toContractError(err: unknown): ContractError {
  if (err instanceof ContractFailure) return err.error;
  if (err instanceof ZodError) {
    return { code: 'BAD_REQUEST', message: err.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ') };
  }
  if (err instanceof PreflightError) {
    const code = err.problems.every((p) => p.startsWith('port ')) ? 'PORT_IN_USE'
      : err.problems.every((p) => p.startsWith('image ')) ? 'IMAGE_MISSING'
        : err.problems.some((p) => p.startsWith('no Docker engine')) ? 'ENGINE_UNREACHABLE' : 'PREFLIGHT_FAILED';
    return { code, message: err.problems.join('; '), details: err.problems };
  }
  if (err instanceof SwarmError) return { code: /^port /.test(err.message) ? 'PORT_IN_USE' : /^image /.test(err.message) ? 'IMAGE_MISSING' : 'PREFLIGHT_FAILED', message: err.message.split('\n')[0]!, details: err.message.split('\n') };
  if (err instanceof ServiceFailed) return { code: 'SERVICE_FAILED', message: `${err.service} ${err.why}`, details: err.logs };
  if (err instanceof ApplyRefused) return { code: 'CONFIG_INVALID', message: err.message.split('\n')[0]!, details: err.message.split('\n').slice(1).map((l) => l.trim()), problems: err.problems };
  if (err instanceof ApplyRolledBack) return { code: 'APPLY_ROLLED_BACK', message: err.message };
  if (err instanceof PrometheusUnreachable) return { code: 'PROMETHEUS_UNREACHABLE', message: err.message };
  if (err instanceof TrafficBusy) return { code: 'BUSY', message: err.message };
  if (err instanceof TrafficError) return { code: 'BAD_REQUEST', message: err.message };
  if (err instanceof ImageError || err instanceof SettingsDamaged) return { code: 'IMAGE_FAILED', message: err.message };
  if (err instanceof TimeoutError) return { code: 'ENGINE_UNREACHABLE', message: err.message };
  if (err instanceof Unsupported || err instanceof WorkbenchError) return { code: 'BAD_REQUEST', message: err.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}
