import { dirname } from 'node:path';
import { Diagnosis } from '../../../shared/diagnosis.ts';
import { logDirectory } from '../../log/logFile.ts';
import type { ApiContext } from '../context.ts';
import { diagnose } from '../diagnosis.ts';
import type { Handlers } from '../handlerTypes.ts';
import { packBundle, redactedAs, registryText, supportBundleFiles, supportSecrets } from '../supportBundle.ts';

function secretsOfHost(ctx: ApiContext, fileText: string | null): string[] {
  return supportSecrets({ env: ctx.env, registry: ctx.registry.registry, fileText, values: ctx.store.connectionSecrets() });
}

export const support: Handlers<'support.diagnose' | 'support.bundle'> = {
  'support.diagnose': async (_input, ctx) => {
    // Diagnoses get copied into tickets: the same redaction as `opsdeck diagnose` and a support bundle.
    const secrets = secretsOfHost(ctx, await registryText(ctx.registry.path));
    return redactedAs(Diagnosis, await diagnose(ctx), secrets);
  },

  'support.bundle': async (_input, ctx) => {
    const fileText = await registryText(ctx.registry.path);
    const secrets = secretsOfHost(ctx, fileText);
    const diagnosis = await diagnose(ctx);
    const logDir = ctx.settings.logFile ? dirname(ctx.settings.logFile) : logDirectory(ctx.env);
    const files = await supportBundleFiles({ diagnosis, ctx, registryText: fileText, env: ctx.env, logDir, secrets });
    const archive = await packBundle(files);
    const names = Object.keys(files);
    const fileName = `opsdeck-support-${diagnosis.generated_at.replace(/[:.]/g, '-')}.tar.gz`;
    // What left the store for someone else to read: an operator action like any other. A store that takes
    // no writes (a standby, or the one that is failing) still gives its bundle, saying it was not recorded.
    const audited = await ctx.store
      .audit({ actor: ctx.actor, action: 'support.bundle', target: fileName, details: { files: names, bytes: archive.length } })
      .then(
        () => true,
        () => false,
      );
    return { file_name: fileName, files: names, bytes: archive.length, content_base64: archive.toString('base64'), healthy: diagnosis.health.ok, audited };
  },
};
