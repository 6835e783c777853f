// The `obsdeck` command table: one file per domain (stack, config, traffic, prometheus, images,
// alerts, other), each calling the same engine, stack, config and Prometheus code the app drives.
import { alertsCommand } from './alerts.js';
import { configCommands } from './config.js';
import { images } from './images.js';
import { otherCommands, render } from './other.js';
import { promCommands } from './prometheus.js';
import { routesCommand, rulesCommand } from './rules.js';
import { sloCommand } from './slo.js';
import { stackCommands } from './stack.js';
import type { Command } from './table.js';
import { traffic } from './traffic.js';

export { NoEngine } from './context.js';

export const COMMANDS: Command[] = [...stackCommands, images, ...configCommands, traffic, ...promCommands, rulesCommand, routesCommand, sloCommand, alertsCommand, render, ...otherCommands];
