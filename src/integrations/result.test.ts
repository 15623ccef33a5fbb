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

  it('answers strings as 200 with the string as it is, typed application/json', async () => {
    expect(await wrapped('hi')).toEqual({ status: 200, type: 'application/json', body: 'hi' });
    expect(await wrapped('')).toEqual({ status: 200, type: 'application/json', body: '' });
  });

  it('answers null as an empty 200 without a content type', async () => {
    expect(await wrapped(null)).toEqual({ status: 200, type: null, body: '' });
  });

  it('answers undefined, numbers, booleans and functions as an empty 400', async () => {
    for (const value of [undefined, 42, 0, true, false, () => 1, Symbol('s'), 10n]) {
      expect(await wrapped(value)).toEqual({ status: 400, type: null, body: '' });
    }
  });

  it('wraps a plain object as success with the object as data', async () => {
    expect(await wrapped({ value: 123 })).toEqual({
      status: 200,
      type: 'application/json',
      body: '{"status":"success","message":"Operation completed successfully.","data":{"value":123}}',
    });
  });

  it('leaves statusCode, message and error out of data; a data field stays nested', async () => {
    const { status, body } = await wrapped({ statusCode: 202, message: 'queued', id: 1, data: { a: 1 } });
    expect(status).toBe(202);
    expect(JSON.parse(body)).toEqual({
      status: 'success',
      message: 'queued',
      data: { id: 1, data: { a: 1 } },
    });
  });

  it('keeps error, statusCode and message of an error result, without data', async () => {
    expect(await wrapped({ error: 'boom', statusCode: 422, message: 'failed', extra: 1 })).toEqual({
      status: 422,
      type: 'application/json',
      body: '{"status":"error","message":"failed","error":"boom"}',
    });
  });

  it('an error result is 500 with the default message when neither is given', async () => {
    expect(await wrapped({ error: { reason: 'x' } })).toEqual({
      status: 500,
      type: 'application/json',
      body: '{"status":"error","message":"An error occurred.","error":{"reason":"x"}}',
    });
  });

  it('a falsy error is a success and is left out', async () => {
    for (const error of [undefined, null, false, '', 0]) {
      const { status, body } = await wrapped({ error, message: '' });
      expect(status).toBe(200);
      expect(JSON.parse(body)).toEqual({
        status: 'success',
        message: 'Operation completed successfully.',
        data: {},
      });
    }
  });

  it('sends no body for a null-body status', async () => {
    expect(await wrapped({ statusCode: 204 })).toEqual({ status: 204, type: 'application/json', body: '' });
  });

  it('wraps an array as the data of a success', async () => {
    expect(JSON.parse((await wrapped([1, 2])).body)).toEqual({
      status: 'success',
      message: 'Operation completed successfully.',
      data: [1, 2],
    });
  });

  it('fails with ERR_INTERNAL for a body that cannot be JSON or an invalid statusCode', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    for (const value of [
      circular,
      { n: 10n },
      { statusCode: 99 },
      { statusCode: '200' },
      { statusCode: 600 },
    ]) {
      const error = failure(value);
      expect(isGatewayError(error) && error.code).toBe('ERR_INTERNAL');
    }
  });
});
