/* global Response, URL */
/**
 * The service module of the corpus configs (`"entrypoint": "./services/hello"`, written without
 * extension as the Serverless API Gateway's configs do): a default-exported class with fetch.
 */
export default class HelloService {
  async fetch(request) {
    return new Response(`hello from ${new URL(request.url).pathname}`, {
      headers: { 'content-type': 'text/plain' },
    });
  }
}
