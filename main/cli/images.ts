// `obsdeck images`: the stack's images on the engine, pulled, exported, imported, or changed.
import path from 'node:path';
import { dataDir } from '../config/store.js';
import { defaultExportFile, exportImages, importImages, listImages, pullImage, stackReferences, tarballImages } from '../images/images.js';
import { updateSettings } from '../images/settings.js';
import { IMAGE_REF } from '../contract.js';
import { openStack } from './context.js';
import { columns, dim, green, out, warn, yellow } from './output.js';
import { UsageError, type Command } from './table.js';

const mib = (n?: number) => (n === undefined ? '' : `${(n / 2 ** 20).toFixed(0)} MiB`);

export const images: Command = {
  name: 'images', section: 'The stack', args: '[list | pull SERVICE... | export [FILE] | import FILE | use SERVICE IMAGE | use SERVICE --reset]',
  help: [
    'the image each service will run: on the engine or not, its origin and size; pull, export, import, choose',
    '  list                 (the default) one line per service',
    '  pull SERVICE...      pull the services\' images (a stand-in\'s upstream image), layer by layer',
    '  export [FILE]        write the stack\'s images to one tarball (never over an existing file)',
    '  import FILE          load a tarball made by export or `docker save` (an offline laptop\'s set-up)',
    '  use SERVICE IMAGE    run IMAGE for SERVICE from now on (kept in the app\'s settings; --reset goes back)',
  ].join('\n'),
  options: {
    reset: { type: 'boolean', help: 'with use: go back to the compose file\'s image' },
    all: { type: 'boolean', help: 'with import: load every tag in the tarball, also those that are none of the stack\'s images' },
  },
  run: async ({ positionals, values }) => {
    const [verb = 'list', ...rest] = positionals;
    const data = dataDir();
    const { stack } = await openStack();
    const service = (name: string | undefined) => {
      if (!name) throw new UsageError(`images ${verb} needs a SERVICE (${stack.spec.services.map((s) => s.name).join(', ')})`, images);
      return stack.spec.services.find((s) => s.name === name) ?? (() => { throw new UsageError(`the stack has no service ${name}`, images); })();
    };
    switch (verb) {
      case 'list': {
        const list = await listImages(stack.docker, stack.spec, data);
        columns(list.map((i) => [i.service, i.image, i.onEngine ? green('on the engine') : yellow('not here'), i.origin, mib(i.size), i.chosenOver ? dim(`(chosen over ${i.chosenOver})`) : i.standInFor ? dim(`(stand-in for ${i.standInFor})`) : '']));
        return 0;
      }
      case 'pull': {
        if (!rest.length) service(undefined);
        for (const name of rest) {
          const s = service(name);
          const image = s.standInFor ?? s.image;
          out(`pulling ${image} for ${name}`);
          const said = new Map<string, string>();
          await pullImage(stack.docker, name, image, (p) => {
            for (const l of p.layers) {
              if (said.get(l.id) === l.status) continue;
              said.set(l.id, l.status);
              out(dim(`  ${l.id}: ${l.status}${l.total ? ` (${mib(l.total)})` : ''}`));
            }
          });
          out(green(`✓ pulled ${image}`));
        }
        return 0;
      }
      case 'export': {
        const file = path.resolve(rest[0] ?? defaultExportFile(data));
        const r = await exportImages(stack.docker, stack.spec, file);
        out(green(`✓ wrote ${r.images.join(', ')} to ${r.file} (${mib(r.bytes)})`));
        if (r.missing.length) warn(`not on the engine, so not exported: ${r.missing.join(', ')}`);
        return 0;
      }
      case 'import': {
        if (!rest[0]) throw new UsageError('images import needs the tarball\'s FILE', images);
        const { loaded, skipped } = await importImages(stack.docker, path.resolve(rest[0]), data, { allowed: stackReferences(stack.spec), ...(values.all === true ? { also: await tarballImages(path.resolve(rest[0])) } : {}) });
        if (loaded.length) out(green(`✓ imported ${loaded.join(', ')}`));
        if (skipped.length) warn(`not loaded (none of the stack's images; \`--all\` loads them, replacing what those tags name on this engine): ${skipped.join(', ')}`);
        return loaded.length ? 0 : 1;
      }
      case 'use': {
        const s = service(rest[0]);
        const image = rest[1];
        if (values.reset !== true && (!image || !IMAGE_REF.test(image))) throw new UsageError(`images use ${s.name} needs an image reference such as prom/prometheus:v3.5.0${image ? `, not "${image}"` : ''} (or --reset)`, images);
        updateSettings(data, (st) => {
          st.images = Object.fromEntries(Object.entries(st.images).filter(([n]) => n !== s.name));
          if (values.reset !== true && image) st.images[s.name] = image;
        });
        out(values.reset === true ? `${s.name} runs the compose file's image again` : `${s.name} runs ${image} from its next start`);
        return 0;
      }
      default:
        throw new UsageError(`images has no "${verb}"; use list, pull, export, import or use`, images);
    }
  },
};
