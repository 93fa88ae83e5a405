import pkg from '../../package.json' with { type: 'json' };

/**
 * The User-Agent of every request a check sends (test-connectivity, validate-token, the HTTP runner's
 * health probe), never a job's (opsdeck-runner): an upstream's logs tell the two apart, and the version
 * says which opsdeck's rules chose the request.
 */
export const PROBE_USER_AGENT = `opsdeck-probe/${pkg.version}`;
