// The Swarm target's side of a config change (config/change.ts's ConfigTarget): each deployed
// service that mounts a changed file gets new versioned configs and must converge — every
// replica running and answering — or Swarm's previous spec comes back; what runs now is read
// from the configs the services' specs name.
import path from 'node:path';
import type { ConfigDelivery, ConfigTarget } from '../config/change.js';
import type { ConfigFile } from '../config/store.js';
import type { SwarmStack } from './swarm.js';

const DIRS: Record<string, string> = { prometheus: '/etc/prometheus', alertmanager: '/etc/alertmanager' };

interface ServiceConfigs { Spec?: { TaskTemplate?: { ContainerSpec?: { Configs?: { ConfigID: string; File?: { Name?: string } }[] } } } }

export function swarmConfig(swarm: SwarmStack): ConfigTarget {
  return {
    docker: swarm.docker,
    images: { prometheus: swarm.local.service('prometheus').image, alertmanager: swarm.local.service('alertmanager').image },
    noteFor: (services) => `applied on Swarm to ${services.join(' and ') || 'no deployed service (used at next deploy)'}`,
    restoredHow: ' on every replica',
    deliveries: async (changed) => {
      const deployed = new Set((await swarm.status()).map((s) => s.service));
      const services = swarm.spec.services.filter((s) => deployed.has(s.name) && s.mounts.some((m) => m.type === 'bind' && changed.includes(m.source)));
      return services.map((s): ConfigDelivery => {
        let delivered = false;
        return {
          service: s.name,
          deliver: async (replace, on) => {
            on({ step: 'copy', service: s.name, message: `new versioned configs for ${s.name}; updating the service` });
            // applyFiles puts the previous spec back itself when the service does not converge.
            await swarm.applyFiles(s.name, replace, (e) => on({ step: 'reload', service: s.name, message: e.message }));
            delivered = true;
            on({ step: 'confirm', service: s.name, message: `${s.name} runs the new configuration on every replica` });
          },
          undo: async (on) => {
            if (!delivered) return;
            on({ step: 'rollback', service: s.name, message: `restoring ${s.name}'s previous configs` });
            await swarm.applyFiles(s.name, {}); // the config directory still holds the previous files
          },
        };
      });
    },
    runningFiles: async () => {
      const out: Partial<Record<ConfigFile, string>> = {};
      for (const [service, dir] of Object.entries(DIRS)) {
        const [svc] = (await swarm.docker.listServices({ filters: { name: [swarm.serviceName(service)] } })) as ServiceConfigs[];
        for (const c of svc?.Spec?.TaskTemplate?.ContainerSpec?.Configs ?? []) {
          const target = c.File?.Name ?? '';
          if (path.posix.dirname(target) !== dir) continue;
          const config = (await swarm.docker.getConfig(c.ConfigID).inspect()) as { Spec?: { Data?: string } };
          out[path.posix.basename(target) as ConfigFile] = Buffer.from(config.Spec?.Data ?? '', 'base64').toString('utf8');
        }
      }
      return out;
    },
  };
}
