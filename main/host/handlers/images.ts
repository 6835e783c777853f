// The Images panel: what each service will run, Pull (layer progress to every session as
// `images:pull`), Export and Import of the stack's images, and the image a user chose. What
// changes which image a service runs (import, choose, a finished pull) reopens the stack under
// the lock, so a stand-in gives way to the real image and the cards say what will run.
import path from 'node:path';
import { defaultExportFile, exportImages, importImages, stackReferences, listImages, pullImage } from '../../images/images.js';
import { updateSettings } from '../../images/settings.js';
import { fail } from '../errors.js';
import type { Handlers } from '../router.js';
import type { Runtime } from '../runtime.js';

export function imagesHandlers(rt: Runtime) {
  const list = async () => {
    const stack = rt.stack();
    return listImages(stack.docker, stack.spec, rt.dataDir());
  };
  const reopenThenList = async () => {
    await rt.lock.run('images', () => rt.reopen(), { wait: true });
    return list();
  };
  // Two clicks on Pull of the same image share one pull.
  const pulling = new Map<string, Promise<void>>();
  return {
    'images:list': async () => ({ images: await list(), exportTo: defaultExportFile(rt.dataDir()) }),
    'images:pull': async ({ service }) => {
      const stack = rt.stack();
      const s = stack.spec.services.find((x) => x.name === service) ?? fail('BAD_REQUEST', `the stack has no service ${service}`);
      // A stand-in runs in place of an upstream image: Pull fetches the upstream one.
      const image = s.standInFor ?? s.image;
      let pull = pulling.get(image);
      if (!pull) {
        pull = pullImage(stack.docker, service, image, (p) => rt.emit('images:pull', p)).finally(() => pulling.delete(image));
        pulling.set(image, pull);
      }
      await pull;
      return { images: await reopenThenList() };
    },
    'images:export': async ({ file }) => {
      const stack = rt.stack();
      return exportImages(stack.docker, stack.spec, file ? path.resolve(file) : defaultExportFile(rt.dataDir()));
    },
    'images:import': async ({ file, also }) => {
      const stack = rt.stack();
      const r = await rt.lock.run('images', () => importImages(stack.docker, path.resolve(file), rt.dataDir(), { allowed: stackReferences(stack.spec), ...(also ? { also } : {}) }));
      return { ...r, images: await reopenThenList() };
    },
    'images:choose': async ({ service, image }) => {
      if (!rt.stack().spec.services.some((s) => s.name === service)) fail('BAD_REQUEST', `the stack has no service ${service}`);
      await rt.lock.run('images', async () => {
        updateSettings(rt.dataDir(), (s) => {
          s.images = Object.fromEntries(Object.entries(s.images).filter(([name]) => name !== service));
          if (image) s.images[service] = image;
        });
      });
      return { images: await reopenThenList() };
    },
  } satisfies Partial<Handlers>;
}
