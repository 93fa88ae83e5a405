import { ALIASES } from './aliases.ts';
import { COMMON_OPTIONS, type OptionSpec } from './args.ts';
import type { Command } from './command.ts';

function optionLines(spec: OptionSpec): string[] {
  const entries = Object.entries(spec).map(([name, o]) => {
    const left = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`;
    return [left, o.description] as const;
  });
  const w = Math.max(...entries.map(([l]) => l.length));
  return entries.map(([l, d]) => `  ${l.padEnd(w)}  ${d}`);
}

export function commandHelp(cmd: Command): string {
  const lines = [`usage: opsdeck ${cmd.name}${cmd.usage ? ` ${cmd.usage}` : ''}`, '', cmd.summary];
  if (cmd.details) lines.push('', cmd.details);
  if (Object.keys(cmd.options).length > 0) lines.push('', 'options:', ...optionLines(cmd.options));
  lines.push('', 'common options:', ...optionLines(COMMON_OPTIONS));
  return lines.join('\n');
}

export function mainHelp(commands: Command[]): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: opsdeck COMMAND [options]',
    '',
    'The opsdeck command line: look at and control the job store an opsdeck console or worker uses.',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'common options (every command; after it or before it):',
    ...optionLines(COMMON_OPTIONS),
    '',
    `runbook words: ${Object.entries(ALIASES).map(([name, a]) => `${name} = ${a.to.join(' ')}`).join(', ')}`,
    '',
    'Exit codes: 0 ok, 1 a failed check, validation problems or not found, 2 wrong usage, 3 nothing to tell by (alerts: no process evaluates the rules).',
    'Run opsdeck COMMAND --help for a command\'s options.',
  ].join('\n');
}
