/**
 * A `service` module: the default export is a class with fetch(request, env, ctx), instantiated
 * once. Returning an object gets it wrapped as {"status":"success","message":…,"data":…} (data:
 * its fields other than statusCode, message and error);
 * returning a Response sends it as is.
 */
export default class GreetingService {
  constructor() {
    this.served = 0;
  }

  fetch(request, env, ctx) {
    this.served++;
    const name = ctx.route.params.name;
    if (name === 'nobody') return { statusCode: 404, error: 'No such person' };
    return { message: `Hello, ${name}!`, name, served: this.served, requestId: ctx.requestId };
  }
}
