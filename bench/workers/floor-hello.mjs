// The floor for a static route on Workers (P5): the least a Worker can do to answer
// `GET /static` with Gatehouse's static body, run in the same workerd as Gatehouse.
/* global Response */
const BODY = '{"status":"ok"}';

export default {
  fetch() {
    return new Response(BODY, { headers: { 'content-type': 'application/json' } });
  },
};
