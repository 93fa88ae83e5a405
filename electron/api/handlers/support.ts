import { dirname } from 'node:path';
import { Diagnosis } from '../../../shared/diagnosis.ts';
import { redactText, secretsOf } from '../../config/redaction.ts';
import { logDirectory } from '../../log/logFile.ts';
import { diagnose } from '../diagnosis.ts';
import type { Handlers } from '../handlerTypes.ts';
import { packBundle, registryText, supportBundleFiles } from '../supportBundle.ts';

export const support: Handlers<'support.diagnose' | 'support.bundle'> = {
  'support.diagnose': async (_input, ctx) => {
    // Diagnoses get copied into tickets: the same redaction as `opsdeck diagnose` and a support bundle.
    const secrets = secretsOf(ctx.env, await registryText(ctx.registry.path));
    return Diagnosis.parse(JSON.parse(redactText(JSON.stringify(await diagnose(ctx)), secrets)));
  },

  'support.bundle': async (_input, ctx) => {
    const diagnosis = await diagnose(ctx);
    const logDir = ctx.settings.logFile ? dirname(ctx.settings.logFile) : logDirectory(ctx.env);
    const files = await supportBundleFiles({ diagnosis, ctx, registryPath: ctx.registry.path, env: ctx.env, logDir });
    const archive = await packBundle(files);
    const names = Object.keys(files);
    // What left the store for someone else to read: an operator action like any other.
    await ctx.store.audit({ actor: ctx.actor, action: 'support.bundle', target: null, details: { files: names, bytes: archive.length } });
    return {
      file_name: `opsdeck-support-${diagnosis.generated_at.replace(/[:.]/g, '-')}.tar.gz`,
      files: names,
      bytes: archive.length,
      content_base64: archive.toString('base64'),
      healthy: diagnosis.health.ok,
    };
  },
};
