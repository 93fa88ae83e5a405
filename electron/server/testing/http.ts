// The raw HTTP helper lives where both HTTP hosts' tests may import it.
export { rawRequest, type RawResponse } from '../../rest/testing/http.ts';
