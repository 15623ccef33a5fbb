import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../errors/gateway-error.js';
import { asResponse, resultToResponse } from './result.js';

async function wrapped(value: unknown): Promise<{ status: number; type: string | null; body: string }> {
  const response = resultToResponse(value);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
}

function failure(value: unknown): unknown {
  try {
    resultToResponse(value);
  } catch (error) {
    return error;
  }
  throw new Error('no failure');
}

describe('resultToResponse', () => {
  it('passes a Response through as the same object', () => {
    const response = new Response('x', { status: 418 });
    expect(resultToResponse(response)).toBe(response);
  });

  it('copies a Response from another Fetch implementation', async () => {
    const foreign = {
      status: 201,
      statusText: 'Created',
      headers: new Headers({ a: '1' }),
      body: null,
      arrayBuffer() {},
    };
    const response = asResponse(foreign);
    expect(response).toBeInstanceOf(Response);
    expect(response?.status).toBe(201);
    expect(response?.headers.get('a')).toBe('1');
    expect(await response?.text()).toBe('');
  });

  it('answers strings as 200 text', async () => {
    expect(await wrapped('hi')).toEqual({ status: 200, type: 'text/plain; charset=utf-8', body: 'hi' });
    expect(await wrapped('')).toEqual({ status: 200, type: 'text/plain; charset=utf-8', body: '' });
  });

  it('answers null and undefined as an empty 200 without a content type', async () => {
    expect(await wrapped(null)).toEqual({ status: 200, type: null, body: '' });
    expect(await wrapped(undefined)).toEqual({ status: 200, type: null, body: '' });
  });

  it('wraps message and data, in that key order', async () => {
    expect(await wrapped({ message: 'm', data: { a: 1 } })).toEqual({
      status: 200,
      type: 'application/json',
      body: '{"status":"success","message":"m","data":{"a":1}}',
    });
  });

  it('makes the other fields data when there is no data field', async () => {
    const { body } = await wrapped({ statusCode: 202, message: 'queued', id: 1, tags: ['a'] });
    expect(JSON.parse(body)).toEqual({ status: 'success', message: 'queued', data: { id: 1, tags: ['a'] } });
  });

  it('keeps an explicit data value of any JSON type', async () => {
    expect(JSON.parse((await wrapped({ data: null })).body)).toEqual({
      status: 'success',
      message: 'Success',
      data: null,
    });
    expect(JSON.parse((await wrapped({ data: [1] })).body).data).toEqual([1]);
  });

  it('uses statusCode when given', async () => {
    expect((await wrapped({ statusCode: 201 })).status).toBe(201);
    expect((await wrapped({ statusCode: 404, error: 'gone' })).status).toBe(404);
  });

  it('marks a result with error as "error", 500 by default, the error as message', async () => {
    expect(await wrapped({ error: 'boom' })).toEqual({
      status: 500,
      type: 'application/json',
      body: '{"status":"error","message":"boom","data":{}}',
    });
    expect(JSON.parse((await wrapped({ error: new Error('from an Error') })).body).message).toBe(
      'from an Error',
    );
    expect(JSON.parse((await wrapped({ error: { nested: true } })).body).message).toBe('Error');
    expect(JSON.parse((await wrapped({ error: 'e', message: 'own message' })).body).message).toBe(
      'own message',
    );
  });

  it('treats error: undefined as no error', async () => {
    const { status, body } = await wrapped({ error: undefined, message: 'fine' });
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ status: 'success' });
  });

  it('sends no body for a null-body status', async () => {
    expect(await wrapped({ statusCode: 204 })).toEqual({ status: 204, type: 'application/json', body: '' });
  });

  it('wraps arrays, numbers and booleans as data', async () => {
    expect(JSON.parse((await wrapped([1, 2])).body)).toEqual({
      status: 'success',
      message: 'Success',
      data: [1, 2],
    });
    expect(JSON.parse((await wrapped(0)).body).data).toBe(0);
    expect(JSON.parse((await wrapped(false)).body).data).toBe(false);
  });

  it('fails with ERR_INTERNAL for what cannot be represented', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    for (const value of [
      () => 1,
      Symbol('s'),
      10n,
      circular,
      { statusCode: 99 },
      { statusCode: '200' },
      { statusCode: 600 },
    ]) {
      const error = failure(value);
      expect(isGatewayError(error) && error.code).toBe('ERR_INTERNAL');
    }
  });
});
