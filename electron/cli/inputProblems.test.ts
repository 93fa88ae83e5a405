import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inputProblem } from './inputProblems.ts';

const refused = (call: string) => ({ code: 'invalid_input' as const, message: `invalid input for ${call}: …` });

describe('inputProblem: a refused input in the command line\'s words', () => {
  it('names the option, not the call and its input path', () => {
    const search = inputProblem('jobs.list', { filter: { search: 'x'.repeat(600) }, limit: 50 }, refused('jobs.list'));
    assert.equal(search, '--search is too long: at most 500 characters');
    assert.equal(inputProblem('jobs.list', { filter: { execution_type: ['sql'] } }, refused('jobs.list')), '--type takes shell, http, docker, serverless, noop');
    assert.equal(inputProblem('schedules.add', { name: 'n', service: 's', cron: '@daily', timezone: 'Berlin' }, refused('schedules.add')), "--timezone: 'Berlin' is not a time zone: did you mean Europe/Berlin?");
  });

  it('names an argument as the usage line does', () => {
    assert.equal(inputProblem('jobs.get', { id: '' }, refused('jobs.get')), 'JOB must not be empty');
    assert.equal(inputProblem('schedules.resume', { name: 'a b' }, refused('schedules.resume')), 'NAME: use letters, digits, _ . - (at most 100)');
  });

  it("names a file's own keys as the file spells them", () => {
    const message = inputProblem('alerts.saveRule', { rule: { name: 'backlog', kind: 'oldest_due', older_than: 'soon' } }, refused('alerts.saveRule'));
    assert.match(message, /^older_than: must be a duration/);
  });

  it('keeps a message written past the schema, without the call name', () => {
    const nul = { code: 'invalid_input' as const, message: 'invalid input for jobs.list: filter.search: contains a NUL character', issues: [{ path: 'filter.search', message: 'contains a NUL character' }] };
    assert.equal(inputProblem('jobs.list', { filter: { search: 'a' }, limit: 5 }, nul), '--search: contains a NUL character');
    const own = { code: 'invalid_input' as const, message: 'every fire would be refused: echo takes no args' };
    assert.equal(inputProblem('schedules.add', { name: 'n', service: 's', cron: '@daily' }, own), own.message);
  });
});
